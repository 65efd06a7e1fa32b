package io.layotto.components.nats;

import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a thread pulling batches from the group's durable consumer, never more than the
 * free in-flight slots, handing each message to the handler and acking or naking it when the
 * handler's stage completes. The pulls share one inbox subscription for the subscription's life, so a
 * message the server sends just as a pull expires is read by the next pull instead of being lost
 * to an inbox nobody listens to any more (it would only come back after ackWait). Errors (broker down, stream deleted) are retried with backoff, binding
 * the consumer afresh each time, so the loop outlives outages. Closing stops the loop and naks what
 * is still in flight, leaving the durable consumer on the server for the group's return.
 */
final class PullSubscription implements Subscription {

  private static final Logger log = LoggerFactory.getLogger(PullSubscription.class);
  /** How long one pull waits for messages; also bounds how long close() waits for the loop. */
  private static final Duration PULL_EXPIRY = Duration.ofSeconds(1);
  private static final int MAX_BATCH = 256;
  /** How long a pull waits for {@link #batchFloor} free slots when only a few are free. */
  private static final Duration BATCH_WAIT = Duration.ofMillis(2);
  private static final Duration MAX_NAK_DELAY = Duration.ofSeconds(30);
  private static final long MIN_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final JetStream jetStream;
  private final StreamCatalog catalog;
  private final String topic;
  private final ConsumerConfiguration consumerConfig;
  private final MessageHandler handler;
  private final Duration nakDelay;
  private final Semaphore slots;
  /** A quarter of maxInFlight: the free slots a pull waits (briefly) for when fewer are free. */
  private final int batchFloor;
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timers;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;
  private @Nullable JetStreamSubscription pulls;
  private @Nullable Thread puller;
  private @Nullable ScheduledFuture<?> keepAlive;

  /**
   * A delivered message whose handler has not completed; settled exactly once (ack, nak or nak at
   * close). Settling and keep-alive take its lock, so no in-progress signal follows the ack or nak
   * (the server would then wait a whole ackWait before redelivering a nak'ed message).
   */
  private static final class InFlight {
    final Message message;
    private boolean settled;

    InFlight(Message message) {
      this.message = message;
    }

    /** Runs {@code settle} unless already settled; true if it ran. */
    synchronized boolean settleWith(java.util.function.Consumer<Message> settle) {
      if (settled) {
        return false;
      }
      settled = true;
      settle.accept(message);
      return true;
    }

    synchronized void keepAlive() {
      if (!settled) {
        message.inProgress();
      }
    }
  }

  PullSubscription(JetStream jetStream, StreamCatalog catalog, String topic, ConsumerConfiguration consumerConfig,
      int maxInFlight, MessageHandler handler, Duration nakDelay, ScheduledExecutorService timers, Runnable onClose) {
    this.jetStream = jetStream;
    this.catalog = catalog;
    this.topic = topic;
    this.consumerConfig = consumerConfig;
    this.handler = handler;
    this.nakDelay = nakDelay;
    this.slots = new Semaphore(maxInFlight);
    this.batchFloor = Math.max(1, Math.min(MAX_BATCH, maxInFlight / 4));
    this.timers = timers;
    this.onClose = onClose;
  }

  String durableName() {
    return consumerConfig.getDurable();
  }

  /** Creates or updates the durable consumer, then starts pulling; fails if the consumer cannot be set up. */
  void start() throws IOException, JetStreamApiException {
    pulls = bind();
    Thread thread = Thread.ofPlatform().daemon().name("jetstream-" + durableName()).unstarted(this::pullUntilClosed);
    puller = thread;
    thread.start();
    // An in-flight message is kept alive while its handler works, so ackWait only matters for consumers that vanished.
    long period = Math.max(50, consumerConfig.getAckWait().toMillis() / 3);
    keepAlive = timers.scheduleAtFixedRate(this::markInProgress, period, period, TimeUnit.MILLISECONDS);
  }

  private JetStreamSubscription bind() throws IOException, JetStreamApiException {
    String stream;
    try {
      stream = catalog.streamFor(topic);
      ensureConsumer(stream);
    } catch (JetStreamApiException e) {
      // The stream may have been deleted or replaced since it was cached: look it up once more.
      catalog.forget(topic);
      stream = catalog.streamFor(topic);
      ensureConsumer(stream);
    }
    return jetStream.subscribe(topic, PullSubscribeOptions.bind(stream, durableName()));
  }

  private void ensureConsumer(String stream) throws IOException, JetStreamApiException {
    try {
      jetStream.getStreamContext(stream).createOrUpdateConsumer(consumerConfig);
    } catch (JetStreamApiException e) {
      // Some settings (e.g. deliverPolicy) cannot change on an existing durable: keep using it as it is.
      jetStream.getConsumerContext(stream, durableName());
      log.warn("durable consumer '{}' on stream '{}' keeps its existing settings: {}", durableName(), stream,
          e.getErrorDescription());
    }
  }

  private void pullUntilClosed() {
    long backoff = 0;
    boolean failing = false;
    while (!closing) {
      try {
        JetStreamSubscription current = pulls;
        if (current == null) {
          current = bind();
          pulls = current;
        }
        int free = awaitFreeSlots();
        if (free > 0) {
          pullBatch(current, free);
        }
        if (failing) {
          log.info("subscription '{}' on topic '{}' is pulling again", durableName(), topic);
          failing = false;
        }
        backoff = 0;
      } catch (InterruptedException e) {
        if (!closing) {
          Thread.currentThread().interrupt();
        }
        return;
      } catch (Exception e) {
        if (closing) {
          return;
        }
        unsubscribeQuietly();
        if (!failing) {
          log.warn("subscription '{}' on topic '{}' cannot pull, retrying with backoff: {}", durableName(), topic,
              e.toString());
          failing = true;
        } else {
          log.debug("subscription '{}' still cannot pull: {}", durableName(), e.toString());
        }
        backoff = backoff == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /** Waits for at least one free slot and takes every free slot (up to a batch); 0 when closing. */
  private int awaitFreeSlots() throws InterruptedException {
    while (!closing) {
      if (slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
        int free = 1 + slots.drainPermits();
        // Only a few free, the rest with the handler (saturated): wait briefly for a batch's worth
        // rather than sending one pull request per freed slot.
        if (free < batchFloor && slots.tryAcquire(batchFloor - free, BATCH_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
          free = batchFloor + slots.drainPermits();
        }
        if (free > MAX_BATCH) {
          slots.release(free - MAX_BATCH);
          free = MAX_BATCH;
        }
        return free;
      }
    }
    return 0;
  }

  /** Pulls up to {@code free} messages; each one keeps its slot until its handler completes. */
  private void pullBatch(JetStreamSubscription current, int free) {
    int received = 0;
    try {
      Iterator<Message> batch = current.iterate(free, PULL_EXPIRY);
      while (batch.hasNext()) {
        Message message = batch.next();
        received++;
        if (closing) {
          // Not handed out: give it back at once rather than after ackWait.
          nakQuietly(message, Duration.ZERO);
          slots.release();
        } else {
          dispatch(message);
        }
      }
    } finally {
      slots.release(free - received);
    }
  }

  private void dispatch(Message message) {
    InFlight entry = new InFlight(message);
    inFlight.add(entry);
    CompletionStage<Void> stage;
    try {
      stage = handler.handle(toMessage(message));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      // A throwing handler is a failed delivery; it must not end the pull loop or leak the slot.
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((ignored, failure) -> settle(entry, failure == null));
  }

  private io.layotto.spi.pubsub.Message toMessage(Message message) {
    NatsJetStreamMetaData meta = message.metaData();
    byte[] data = message.getData();
    return new io.layotto.spi.pubsub.Message(topic, data == null ? new byte[0] : data, Map.of(
        "natsStream", meta.getStream(),
        "natsConsumer", meta.getConsumer(),
        "natsStreamSequence", Long.toString(meta.streamSequence()),
        "natsDeliveredCount", Long.toString(meta.deliveredCount())));
  }

  private void settle(InFlight entry, boolean handled) {
    try {
      boolean settledNow = entry.settleWith(message -> {
        if (handled) {
          message.ack();
        } else {
          nakQuietly(message, redeliveryDelay(message));
        }
      });
      if (!settledNow) {
        return; // already given back by close()
      }
    } catch (RuntimeException e) {
      // The connection is down: the server redelivers after ackWait anyway.
      log.debug("could not ack a message of '{}': {}", durableName(), e.toString());
    }
    inFlight.remove(entry);
    slots.release();
  }

  /** {@code nakDelay} doubled per earlier delivery, capped, so a failing message backs off. */
  private Duration redeliveryDelay(Message message) {
    long deliveries = Math.max(1, message.metaData().deliveredCount());
    int doublings = (int) Math.min(20, deliveries - 1);
    Duration delay = nakDelay.multipliedBy(1L << doublings);
    return delay.compareTo(MAX_NAK_DELAY) > 0 ? MAX_NAK_DELAY : delay;
  }

  private void nakQuietly(Message message, Duration delay) {
    try {
      if (delay.isZero()) {
        message.nak();
      } else {
        message.nakWithDelay(delay);
      }
    } catch (RuntimeException e) {
      log.debug("could not nak a message of '{}': {}", durableName(), e.toString());
    }
  }

  private void markInProgress() {
    for (InFlight entry : inFlight) {
      try {
        entry.keepAlive();
      } catch (RuntimeException e) {
        log.debug("could not extend ackWait of a message of '{}': {}", durableName(), e.toString());
      }
    }
  }

  private void unsubscribeQuietly() {
    JetStreamSubscription current = pulls;
    pulls = null;
    if (current != null) {
      try {
        current.unsubscribe();
      } catch (RuntimeException e) {
        log.debug("could not unsubscribe '{}': {}", durableName(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    ScheduledFuture<?> timer = keepAlive;
    if (timer != null) {
      timer.cancel(false);
    }
    Thread thread = puller;
    // A handler may close its own subscription from the pull thread: it must not wait for itself.
    if (thread != null && thread != Thread.currentThread()) {
      try {
        if (!thread.join(CLOSE_WAIT)) {
          thread.interrupt();
          thread.join(CLOSE_WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    unsubscribeQuietly();
    // Handlers still working lose their messages to redelivery now, not after ackWait.
    for (InFlight entry : inFlight) {
      entry.settleWith(message -> nakQuietly(message, Duration.ZERO));
    }
    inFlight.clear();
    onClose.run();
  }
}
