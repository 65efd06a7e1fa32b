package io.layotto.components.inmemory;

import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer group of one topic: its queue and its subscriptions (competing consumers).
 *
 * <p>Every message of the group is either <em>ready</em> (in {@link #ready}, ordered by the topic's
 * publish sequence) or <em>held</em> by one subscription as a {@link Lease} (handed to its handler, or
 * failed and waiting {@code redeliveryDelay} before going back). Held messages count against the
 * subscription's {@code maxInFlight} and, with ready ones, against the group's capacity. A lease ends
 * exactly once: acked (message gone), returned after a failure, or returned because its subscription
 * closed; a completion arriving after the lease ended is ignored, since the message may already be
 * with another consumer.
 *
 * <p>One drain task at a time per group takes ready messages for subscriptions with free slots
 * (round-robin) and calls the handlers outside the lock, in publish order. Returned messages re-enter
 * the queue at their original position, so they come before newer ones.
 */
final class InMemoryConsumerGroup {

  private static final Logger log = LoggerFactory.getLogger(InMemoryConsumerGroup.class);

  /** A published message as queued: shared by all groups of the topic, never handed out uncopied. */
  record QueuedMessage(String topic, long sequence, byte[] data, long deadlineNanos, boolean expiring) {

    boolean expiredAt(long nowNanos) {
      return expiring && nowNanos - deadlineNanos >= 0;
    }
  }

  private enum LeaseState { HANDED_OUT, AWAITING_REDELIVERY, ENDED }

  /** One hand-out of a message to a subscription. Guarded by the group's lock. */
  private static final class Lease {
    final QueuedMessage message;
    final GroupSubscription owner;
    final int deliveryCount;
    LeaseState state = LeaseState.HANDED_OUT;

    Lease(QueuedMessage message, GroupSubscription owner, int deliveryCount) {
      this.message = message;
      this.owner = owner;
      this.deliveryCount = deliveryCount;
    }
  }

  /** A ready message and how often the group delivered it already. */
  private record Ready(QueuedMessage message, int deliveries) {}

  private final String topic;
  private final String name;
  private final int capacity;
  private final Duration redeliveryDelay;
  private final Executor dispatcher;
  private final ScheduledExecutorService timer;

  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Ready> ready = new PriorityQueue<>(Comparator.comparingLong(r -> r.message().sequence()));
  private final List<GroupSubscription> subscriptions = new ArrayList<>();
  private int held;
  private int nextSubscription;
  private boolean draining;

  InMemoryConsumerGroup(String topic, String name, int capacity, Duration redeliveryDelay, Executor dispatcher,
      ScheduledExecutorService timer) {
    this.topic = topic;
    this.name = name;
    this.capacity = capacity;
    this.redeliveryDelay = redeliveryDelay;
    this.dispatcher = dispatcher;
    this.timer = timer;
  }

  String name() {
    return name;
  }

  int capacity() {
    return capacity;
  }

  /**
   * Whether {@code count} more messages fit. Expired messages are purged first when the group looks
   * full, so they never block publishers. Publishers of the topic are serialised by the caller and
   * nothing else adds messages, so the answer stays true until they are {@linkplain #enqueue added}.
   */
  boolean hasRoomFor(int count, long nowNanos) {
    lock.lock();
    try {
      if (ready.size() + held + count <= capacity) {
        return true;
      }
      ready.removeIf(r -> r.message().expiredAt(nowNanos));
      return ready.size() + held + count <= capacity;
    } finally {
      lock.unlock();
    }
  }

  /** Queues the messages; the caller then {@linkplain #requestDrain() requests a drain}. */
  void enqueue(List<QueuedMessage> messages) {
    lock.lock();
    try {
      for (QueuedMessage message : messages) {
        ready.add(new Ready(message, 0));
      }
    } finally {
      lock.unlock();
    }
  }

  Subscription subscribe(MessageHandler handler, int maxInFlight) {
    GroupSubscription subscription = new GroupSubscription(handler, maxInFlight);
    lock.lock();
    try {
      subscriptions.add(subscription);
    } finally {
      lock.unlock();
    }
    requestDrain();
    return subscription;
  }

  /** Messages ready plus held, for tests and diagnostics. */
  int size() {
    lock.lock();
    try {
      return ready.size() + held;
    } finally {
      lock.unlock();
    }
  }

  /** Starts a drain unless one is running (which re-checks for ready messages before it stops). */
  void requestDrain() {
    lock.lock();
    try {
      if (draining) {
        return; // the running drain re-checks under the lock before it stops
      }
      draining = true;
    } finally {
      lock.unlock();
    }
    try {
      dispatcher.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // the component is closing: nothing is delivered any more
      lock.lock();
      try {
        draining = false;
      } finally {
        lock.unlock();
      }
    }
  }

  private void drain() {
    while (true) {
      List<Lease> batch;
      lock.lock();
      try {
        batch = takeLeases();
        if (batch.isEmpty()) {
          draining = false;
          return;
        }
      } finally {
        lock.unlock();
      }
      for (Lease lease : batch) {
        invoke(lease);
      }
    }
  }

  /** Hands ready messages to subscriptions with free slots, round-robin. Called under the lock. */
  private List<Lease> takeLeases() {
    List<Lease> batch = new ArrayList<>();
    long now = System.nanoTime();
    while (!ready.isEmpty()) {
      GroupSubscription subscription = nextWithFreeSlot();
      if (subscription == null) {
        break;
      }
      Ready next = java.util.Objects.requireNonNull(ready.poll());
      if (next.message().expiredAt(now)) {
        continue; // TTL: an expired message is dropped instead of delivered
      }
      Lease lease = new Lease(next.message(), subscription, next.deliveries() + 1);
      subscription.leases.add(lease);
      held++;
      batch.add(lease);
    }
    return batch;
  }

  private @Nullable GroupSubscription nextWithFreeSlot() {
    int count = subscriptions.size();
    for (int i = 0; i < count; i++) {
      GroupSubscription candidate = subscriptions.get((nextSubscription + i) % count);
      if (candidate.leases.size() < candidate.maxInFlight) {
        nextSubscription = (nextSubscription + i + 1) % count;
        return candidate;
      }
    }
    return null;
  }

  /**
   * Calls the handler under the subscription's invoke lock, which {@link GroupSubscription#close()}
   * waits for: once close() returned, its handler is never called again.
   */
  private void invoke(Lease lease) {
    GroupSubscription subscription = lease.owner;
    CompletionStage<Void> stage;
    subscription.invokeLock.lock();
    try {
      if (subscription.closed) {
        return; // close() already put the message back in the queue
      }
      QueuedMessage queued = lease.message;
      Message message = new Message(queued.topic(), queued.data().clone(), Map.of(
          "sequence", Long.toString(queued.sequence()),
          "deliveryCount", Integer.toString(lease.deliveryCount)));
      stage = subscription.handler.handle(message);
    } catch (RuntimeException e) {
      log.warn("in-memory pub/sub: handler of group '{}' on topic '{}' threw; message will be redelivered",
          name, topic, e);
      stage = CompletableFuture.failedFuture(e);
    } finally {
      subscription.invokeLock.unlock();
    }
    if (stage == null) {
      stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no stage"));
    }
    stage.whenComplete((ignored, error) -> {
      if (error == null) {
        ack(lease);
      } else {
        fail(lease);
      }
    });
  }

  private void ack(Lease lease) {
    lock.lock();
    try {
      if (lease.state != LeaseState.HANDED_OUT) {
        return;
      }
      end(lease);
    } finally {
      lock.unlock();
    }
    requestDrain();
  }

  /**
   * The message keeps its subscription's slot while it waits to be redelivered: with maxInFlight = 1
   * nothing newer overtakes it, and a handler failing fast cannot spin.
   */
  private void fail(Lease lease) {
    lock.lock();
    try {
      if (lease.state != LeaseState.HANDED_OUT) {
        return;
      }
      lease.state = LeaseState.AWAITING_REDELIVERY;
    } finally {
      lock.unlock();
    }
    try {
      timer.schedule(() -> returnAfterFailure(lease), redeliveryDelay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      returnAfterFailure(lease); // closing: put it back at once, nobody will take it
    }
  }

  private void returnAfterFailure(Lease lease) {
    lock.lock();
    try {
      if (lease.state != LeaseState.AWAITING_REDELIVERY) {
        return; // the subscription closed meanwhile and returned it already
      }
      returnToQueue(lease);
    } finally {
      lock.unlock();
    }
    requestDrain();
  }

  /** Called under the lock. */
  private void end(Lease lease) {
    lease.state = LeaseState.ENDED;
    lease.owner.leases.remove(lease);
    held--;
  }

  /** Called under the lock. */
  private void returnToQueue(Lease lease) {
    end(lease);
    ready.add(new Ready(lease.message, lease.deliveryCount));
  }

  /** A subscription of this group. */
  private final class GroupSubscription implements Subscription {
    final MessageHandler handler;
    final int maxInFlight;
    /** Guarded by the group's lock. */
    final Set<Lease> leases = new LinkedHashSet<>();
    final ReentrantLock invokeLock = new ReentrantLock();
    volatile boolean closed;

    GroupSubscription(MessageHandler handler, int maxInFlight) {
      this.handler = handler;
      this.maxInFlight = maxInFlight;
    }

    /**
     * Returns the messages it holds to the queue (the group keeps them for its other or later
     * subscriptions), then waits for a handler call in progress to return.
     */
    @Override
    public void close() {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        subscriptions.remove(this);
        nextSubscription = 0;
        for (Lease lease : List.copyOf(leases)) {
          returnToQueue(lease);
        }
      } finally {
        lock.unlock();
      }
      invokeLock.lock();
      invokeLock.unlock();
      requestDrain();
    }
  }
}
