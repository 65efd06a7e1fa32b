package io.layotto.runtime.pubsub;

import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.layotto.spi.pubsub.delivery.AppAnswer;
import io.layotto.spi.pubsub.delivery.DeliveryPolicy;
import io.layotto.spi.pubsub.delivery.RetryingDelivery;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes (pub/sub, topic) pairs on their components and runs the shared delivery policy
 * ({@link RetryingDelivery}) between the component and an {@link EventSink}: the envelope is read
 * once (expired events are dropped), the sink is asked, SUCCESS and DROP ack, RETRY / failures /
 * timeouts are delivered again after an exponential backoff while the message stays unacked (so it
 * occupies one of the subscription's {@code maxConcurrency} slots: back-pressure instead of queues).
 * After {@code maxDeliveryAttempts} the message goes to the dead-letter topic, or back to the broker
 * for a later redelivery. A closed subscription stops handing out events; its unfinished messages stay
 * unacked for the broker to redeliver.
 *
 * <p>Shutdown ({@link DeliveryShutdown}) goes in two steps. {@link #stopIntake()}: messages the
 * components hand out from then on are held, never offered to the app and never completed (so never
 * acked), and no retry or timeout fires any more; answers to deliveries already made still count, a
 * SUCCESS is acked. {@link #stopDelivery()}: open streams end with UNAVAILABLE, every subscription
 * closes, and an attempt that fails because of it is left unanswered instead of retried or
 * dead-lettered: the broker redelivers it later.
 */
public final class SubscriptionManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionManager.class);


  /** Subscription metadata key naming the dead-letter topic (Dapr's spelling). */
  public static final String DEAD_LETTER_TOPIC = "deadLetterTopic";
  /** How long a second close waits for the first (component close is bounded by its own timeouts). */
  private static final java.time.Duration UNSUBSCRIBE_WAIT = java.time.Duration.ofSeconds(15);

  private final LoadedComponents components;
  private final CloudEvents cloudEvents;
  private final Set<Active> active = ConcurrentHashMap.newKeySet();
  /** Timers only: the tasks they run return at once. */
  private final DeliveryTimers timers = new DeliveryTimers();
  /** Open streams, ended by {@link #stopDelivery()}. */
  private final Set<TopicEventStream<?, ?>> streams = ConcurrentHashMap.newKeySet();
  /**
   * One per attempt handed to a sink and not settled yet: completed only once the app's answer went
   * through the policy and the component's ack, so a drain that waits for them never closes a
   * subscription between an answer and its ack.
   */
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;
  private volatile boolean stopped;

  /** A manager over the sidecar's components; it joins their {@link LoadedComponents#deliveries()}. */
  public SubscriptionManager(LoadedComponents components, CloudEvents cloudEvents) {
    this.components = components;
    this.cloudEvents = cloudEvents;
    components.deliveries().register(this);
  }

  /**
   * What to subscribe.
   *
   * @param metadata subscription metadata: passed to the component; delivery keys override the
   *     pub/sub's ({@link DeliveryOptions}); {@code rawPayload=true} hands payloads to the app as they are
   * @param deadLetterTopic where messages go after the last failed attempt; null for none
   */
  public record Spec(String pubsubName, String topic, Map<String, String> metadata, @Nullable String deadLetterTopic) {
    public Spec {
      metadata = Map.copyOf(metadata);
      if (deadLetterTopic != null && deadLetterTopic.isBlank()) {
        deadLetterTopic = null;
      }
    }
  }

  /** A live subscription; closing it is idempotent. */
  public interface Handle extends AutoCloseable {
    Spec spec();

    /**
     * Whether completing an answer of this subscription runs only non-blocking work: the delivery
     * policy, then the component's ack or nack ({@link NonBlockingPubSub}). Then an answer may be
     * completed on a network event loop; otherwise it must be completed where blocking is allowed.
     */
    default boolean settlesWithoutBlocking() {
      return false;
    }

    @Override
    void close();
  }

  /**
   * Subscribes and starts delivering to {@code sink}.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for an unknown pub/sub, an empty topic or
   *     bad delivery metadata; the component's failure mapped by {@link ApiErrors}
   */
  public Handle subscribe(Spec spec, EventSink sink) {
    PubSub pubSub = check(spec);
    if (draining) {
      throw shuttingDown();
    }
    PubSubOptions pubSubOptions = components.pubSubOptions(spec.pubsubName());
    DeliveryOptions options = pubSubOptions.delivery().with(spec.metadata());
    Active subscription = new Active(spec, options, sink, pubSub);
    try {
      subscription.subscription = pubSub.subscribe(new SubscribeRequest(spec.topic(), pubSubOptions.consumerGroup(),
          options.maxConcurrency(), spec.metadata()), subscription::handle);
    } catch (ComponentException e) {
      throw ApiErrors.fromComponent(e, "error when subscribing to topic " + spec.topic() + " in pubsub "
          + spec.pubsubName());
    }
    active.add(subscription);
    log.info("subscribed to topic '{}' of pubsub '{}' (consumer group '{}', maxConcurrency {}{})", spec.topic(),
        spec.pubsubName(), pubSubOptions.consumerGroup(), options.maxConcurrency(),
        spec.deadLetterTopic() == null ? "" : ", dead-letter topic '" + spec.deadLetterTopic() + "'");
    return subscription;
  }

  /**
   * Checks a subscription without making it.
   *
   * @return the pub/sub it names
   * @throws io.grpc.StatusRuntimeException as {@link #subscribe} does for bad requests
   */
  public PubSub check(Spec spec) {
    if (components.pubSubNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("no pub/sub component is configured (grpc_config.pub_subs is empty)");
    }
    if (spec.pubsubName().isEmpty()) {
      throw ApiErrors.invalidArgument("pubsub_name is empty; configured pub/subs: " + components.pubSubNames());
    }
    PubSub pubSub = components.pubSub(spec.pubsubName()).orElseThrow(() -> ApiErrors.invalidArgument(
        "pubsub '" + spec.pubsubName() + "' (pubsub_name) is not found; configured pub/subs: "
            + components.pubSubNames()));
    if (spec.topic().isEmpty()) {
      throw ApiErrors.invalidArgument("topic is empty in pubsub " + spec.pubsubName());
    }
    try {
      components.pubSubOptions(spec.pubsubName()).delivery().with(spec.metadata());
    } catch (IllegalArgumentException e) {
      throw ApiErrors.invalidArgument("subscription metadata of topic " + spec.topic() + " in pubsub "
          + spec.pubsubName() + ": " + e.getMessage());
    }
    return pubSub;
  }

  /** Closes every subscription made here. */
  @Override
  public void close() {
    for (Active a : active) {
      a.close();
    }
    timers.shutdownNow();
  }

  /** UNAVAILABLE: the sidecar is stopping, so the client should subscribe again (to the next one). */
  static io.grpc.StatusRuntimeException shuttingDown() {
    return io.grpc.Status.UNAVAILABLE.withDescription("sidecar shutting down; resubscribe").asRuntimeException();
  }

  /** Shutdown step 1 (see the class comment); idempotent. */
  void stopIntake() {
    draining = true;
    timers.freeze();
    // a subscription with nothing in flight stops fetching from the broker now; the others once
    // their last answer is in
    for (Active a : active) {
      a.closeWhenIdle();
    }
  }

  /** True once shutdown began: no new subscription, no new message to the app. */
  public boolean isDraining() {
    return draining;
  }

  /** Answers awaited from the app. */
  int inFlight() {
    return inFlight.size();
  }

  /** Waits until no answer is awaited from the app, or until {@code deadlineNanos}; true when none is. */
  boolean awaitInFlight(long deadlineNanos) {
    while (true) {
      CompletableFuture<?>[] waiting = inFlight.toArray(CompletableFuture<?>[]::new);
      if (waiting.length == 0) {
        return true;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        CompletableFuture.allOf(waiting).get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        // a failed attempt is answered too; look again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** Shutdown step 2: ends open streams with UNAVAILABLE and closes every subscription; idempotent. */
  void stopDelivery() {
    draining = true;
    stopped = true;
    timers.freeze();
    for (TopicEventStream<?, ?> stream : streams) {
      stream.shutdown(shuttingDown());
    }
    close();
  }

  /** A stream opened on this manager; ended at once when delivery has stopped. */
  void opened(TopicEventStream<?, ?> stream) {
    streams.add(stream);
    if (stopped) {
      stream.shutdown(shuttingDown());
    }
  }

  void ended(TopicEventStream<?, ?> stream) {
    streams.remove(stream);
  }

  private final class Active implements Handle {
    private final Spec spec;
    private final DeliveryPolicy policy;
    private final EventSink sink;
    private final PubSub pubSub;
    private final boolean raw;
    private volatile @Nullable Subscription subscription;
    private volatile boolean closed;
    /** Attempts of this subscription awaiting the app's answer. */
    private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    /** Completed once the component subscription is closed. */
    private final CompletableFuture<Void> unsubscribed = new CompletableFuture<>();

    Active(Spec spec, DeliveryOptions options, EventSink sink, PubSub pubSub) {
      this.spec = spec;
      this.policy = options.policy().toBuilder().deadLetterTopic(spec.deadLetterTopic()).build();
      this.sink = sink;
      this.pubSub = pubSub;
      this.raw = CloudEvents.isRaw(spec.metadata());
    }

    @Override
    public Spec spec() {
      return spec;
    }

    @Override
    public boolean settlesWithoutBlocking() {
      return pubSub instanceof NonBlockingPubSub;
    }

    CompletionStage<Void> handle(Message message) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("subscription closed"));
      }
      if (draining) {
        // shutting down: never offered, never completed, so it stays unacked for the broker to redeliver
        return new CompletableFuture<>();
      }
      TopicEvent event;
      try {
        event = cloudEvents.read(message.data(), spec.pubsubName(), spec.topic(), raw, () -> fallbackId(message));
      } catch (RuntimeException e) {
        log.warn("topic '{}' of pubsub '{}': cannot read a message, it will be delivered again", spec.topic(),
            spec.pubsubName(), e);
        return CompletableFuture.failedFuture(e);
      }
      if (event.expired()) {
        log.warn("topic '{}' of pubsub '{}': event {} expired before delivery; dropped", spec.topic(),
            spec.pubsubName(), event.id());
        return CompletableFuture.completedFuture(null);
      }
      // the envelope is read once, so every attempt hands the app the same event (same id)
      return new RetryingDelivery(m -> deliver(event), policy, pubSub, timers).handle(message);
    }

    private CompletionStage<AppAnswer> deliver(TopicEvent event) {
      if (draining) {
        return new CompletableFuture<>(); // a retry racing shutdown: not offered, left unanswered
      }
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("subscription closed"));
      }
      CompletableFuture<AppAnswer> answer = new CompletableFuture<>();
      CompletableFuture<Void> settled = new CompletableFuture<>();
      inFlight.add(settled);
      attempts.incrementAndGet();
      CompletionStage<AppAnswer> stage;
      try {
        stage = sink.deliver(event);
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete((value, error) -> {
        attempts.decrementAndGet();
        try {
          if (error != null && stopped) {
            // failed because delivery stopped (stream ended, call cancelled): not the app's answer,
            // so neither retried nor dead-lettered; it stays unacked
            return;
          }
          // completing runs the policy and the component's ack (or nack) before this returns
          if (error != null) {
            answer.completeExceptionally(error);
          } else {
            answer.complete(value);
          }
          if (draining) {
            closeWhenIdle();
          }
        } finally {
          inFlight.remove(settled);
          settled.complete(null);
        }
      });
      return answer;
    }

    /** While draining: closes the component subscription (off the calling thread) once nothing is in flight. */
    void closeWhenIdle() {
      if (!closed && attempts.get() == 0) {
        Thread.ofVirtual().name("layotto-pubsub-unsubscribe").start(this::close);
      }
    }

    /** Closes the component subscription; a second caller waits (bounded) until the first one has. */
    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          awaitUnsubscribed();
          return;
        }
        closed = true;
      }
      Subscription s = subscription;
      try {
        if (s != null) {
          s.close();
        }
        log.info("unsubscribed from topic '{}' of pubsub '{}'", spec.topic(), spec.pubsubName());
      } catch (RuntimeException e) {
        log.warn("closing the subscription to topic '{}' of pubsub '{}' failed", spec.topic(), spec.pubsubName(), e);
      } finally {
        active.remove(this); // only now, so the manager's close() waits for a close in progress
        unsubscribed.complete(null);
      }
    }

    private void awaitUnsubscribed() {
      try {
        unsubscribed.get(UNSUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.debug("topic '{}' of pubsub '{}': still unsubscribing", spec.topic(), spec.pubsubName());
      }
    }
  }

  private static String fallbackId(Message message) {
    for (String key : new String[] {"id", "messageId", "message-id"}) {
      String id = message.metadata().get(key);
      if (id != null && !id.isBlank()) {
        return id;
      }
    }
    return UUID.randomUUID().toString();
  }
}
