package io.layotto.runtime.pubsub;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The delivery policy's timers (attempt timeouts, backoff before a retry) of one
 * {@link SubscriptionManager}. At shutdown they are {@linkplain #freeze() frozen}: queued timers are
 * cancelled and new ones never fire, so no retry starts, no attempt times out into a retry and no
 * message is dead-lettered because the sidecar is stopping; such messages simply stay unacked.
 * (Shutting the executor down instead would make the policy give up with a rejection, which on a
 * last attempt means a dead-letter publish.)
 */
final class DeliveryTimers extends ScheduledThreadPoolExecutor {

  private static final java.time.Duration HEAD_PERIOD = java.time.Duration.ofSeconds(1);

  private volatile boolean frozen;

  DeliveryTimers() {
    super(1, r -> {
      Thread t = new Thread(r, "layotto-pubsub-retry");
      t.setDaemon(true);
      return t;
    });
    // Almost every attempt timeout is cancelled within milliseconds when the app answers: remove it
    // at once, or tens of thousands would wait in the queue and wake the thread when they fall due.
    setRemoveOnCancelPolicy(true);
    // Every delivery schedules a timeout (30 s by default) and cancels it at the answer. When the
    // queue is empty, each new one becomes its head, and the executor wakes its thread for every
    // new head: one thread wake-up per delivery. This no-op keeps an earlier head queued, so new
    // timeouts go in behind it and the thread sleeps on (it wakes once a second instead).
    super.scheduleWithFixedDelay(() -> { }, HEAD_PERIOD.toNanos(), HEAD_PERIOD.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (frozen) {
      return new Never();
    }
    return super.schedule(command, delay, unit);
  }

  /** From now on no timer fires. */
  void freeze() {
    frozen = true;
    for (Runnable queued : getQueue().toArray(Runnable[]::new)) {
      ((Future<?>) queued).cancel(false);
    }
  }

  /** A timer that never fires. */
  private static final class Never extends CompletableFuture<Object> implements ScheduledFuture<Object> {
    @Override
    public long getDelay(TimeUnit unit) {
      return Long.MAX_VALUE;
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
