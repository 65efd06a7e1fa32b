package io.layotto.runtime.pubsub;

import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PubSub;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 */
public final class SubscriptionManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionManager.class);

  /**
   * Timers only: the tasks they run return at once. Every attempt schedules its timeout here and
   * almost every one is cancelled within milliseconds when the app answers; cancelled timeouts are
   * removed at once, or tens of thousands (rate × deliveryTimeout) would wait in the queue and wake
   * the timer thread one by one when they fall due.
   */
  static final ScheduledExecutorService TIMERS = timers();

  /** Subscription metadata key naming the dead-letter topic (Dapr's spelling). */
  public static final String DEAD_LETTER_TOPIC = "deadLetterTopic";

  private final LoadedComponents components;
  private final CloudEvents cloudEvents;
  private final Set<Active> active = ConcurrentHashMap.newKeySet();

  public SubscriptionManager(LoadedComponents components, CloudEvents cloudEvents) {
    this.components = components;
    this.cloudEvents = cloudEvents;
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
  }

  private final class Active implements Handle {
    private final Spec spec;
    private final DeliveryPolicy policy;
    private final EventSink sink;
    private final PubSub pubSub;
    private final boolean raw;
    private volatile @Nullable Subscription subscription;
    private volatile boolean closed;

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

    CompletionStage<Void> handle(Message message) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("subscription closed"));
      }
      TopicEvent event;
      try {
        event = cloudEvents.read(message.data(), spec.pubsubName(), spec.topic(), raw, fallbackId(message));
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
      return new RetryingDelivery(m -> deliver(event), policy, pubSub, TIMERS).handle(message);
    }

    private CompletionStage<AppAnswer> deliver(TopicEvent event) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("subscription closed"));
      }
      return sink.deliver(event);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      active.remove(this);
      Subscription s = subscription;
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException e) {
          log.warn("closing the subscription to topic '{}' of pubsub '{}' failed", spec.topic(), spec.pubsubName(), e);
        }
      }
      log.info("unsubscribed from topic '{}' of pubsub '{}'", spec.topic(), spec.pubsubName());
    }
  }

  private static ScheduledExecutorService timers() {
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "layotto-pubsub-retry");
      t.setDaemon(true);
      return t;
    });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
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
