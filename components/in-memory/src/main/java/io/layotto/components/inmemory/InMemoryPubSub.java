package io.layotto.components.inmemory;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.layotto.spi.state.StateRequests;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Pub/sub inside the sidecar's heap, Layotto's pub/sub type {@code in-memory}: nothing survives a
 * restart of the sidecar, everything else follows the SPI's delivery contract.
 *
 * <ul>
 *   <li><b>Groups.</b> A topic's consumer group is created by its first subscription and then kept
 *       until the component closes, also while no subscription of it is open: messages published
 *       meanwhile wait in its queue, so a subscriber that disconnects and returns loses nothing.
 *       A message published while a topic has no group at all is dropped.</li>
 *   <li><b>Competing consumers and fan-out.</b> Each group has its own queue; its subscriptions take
 *       from it round-robin; every group gets every message.</li>
 *   <li><b>Acks.</b> A message leaves its group's queue when the handler's stage completes normally.
 *       On failure it goes back after {@code redeliveryDelay} (which keeps a handler that fails at
 *       once from spinning); when its subscription closes it goes back at once.</li>
 *   <li><b>Back-pressure.</b> At most {@code maxInFlight} messages per subscription are handed out
 *       and not completed, a failed one waiting for redelivery included.</li>
 *   <li><b>Ordering</b> ({@link PubSubFeature#ORDERING}). A group hands out messages in publish order,
 *       and a returned message re-enters the queue at its original place, ahead of newer ones.
 *       Ordered processing is asked for with a group's only subscription and {@code maxInFlight = 1}:
 *       then one message of the group is outstanding at a time and a failed one is redelivered before
 *       anything newer. With more slots or more subscriptions, handlers are still called in publish
 *       order but may finish (and fail) in any order: that concurrency is what the app asked for.</li>
 *   <li><b>Bulk publish</b> ({@link PubSubFeature#BULK_PUBLISH}) appends each topic's messages in one
 *       step, all or nothing per topic; topics are done in the order they first appear.</li>
 *   <li><b>TTL</b> ({@link PubSubFeature#MESSAGE_TTL}). A message published with {@code ttlInSeconds}
 *       is dropped instead of delivered once expired, also before a redelivery.</li>
 *   <li><b>Bounded memory.</b> Each group holds at most {@code maxQueuedMessagesPerGroup} messages
 *       (ready or handed out); a publish that would exceed it fails with RESOURCE_EXHAUSTED naming the
 *       topic and group, for every group of the topic alike.</li>
 * </ul>
 * Handlers run on virtual threads, one drain task per group at a time; payloads are copied on publish
 * and on each delivery, so neither side can change the other's bytes.
 */
public final class InMemoryPubSub implements NonBlockingPubSub {

  static final Set<PubSubFeature> FEATURES = Set.copyOf(EnumSet.allOf(PubSubFeature.class));
  static final String MAX_QUEUED_MESSAGES_PER_GROUP = "maxQueuedMessagesPerGroup";
  static final String REDELIVERY_DELAY = "redeliveryDelay";
  static final int DEFAULT_MAX_QUEUED_MESSAGES_PER_GROUP = 100_000;
  static final Duration DEFAULT_REDELIVERY_DELAY = Duration.ofMillis(100);

  private final ConcurrentHashMap<String, InMemoryTopic> topics = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Subscription> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
  private int maxQueuedPerGroup = DEFAULT_MAX_QUEUED_MESSAGES_PER_GROUP;
  private Duration redeliveryDelay = DEFAULT_REDELIVERY_DELAY;
  private @Nullable ExecutorService dispatcher;
  private @Nullable ScheduledExecutorService timer;

  @Override
  public void init(Metadata metadata) {
    maxQueuedPerGroup = metadata.getInt(MAX_QUEUED_MESSAGES_PER_GROUP, DEFAULT_MAX_QUEUED_MESSAGES_PER_GROUP);
    if (maxQueuedPerGroup < 1) {
      throw ComponentException.invalidArgument("metadata '" + MAX_QUEUED_MESSAGES_PER_GROUP + "' of component '"
          + metadata.componentName() + "' is " + maxQueuedPerGroup + ", expected at least 1");
    }
    redeliveryDelay = metadata.getDuration(REDELIVERY_DELAY, DEFAULT_REDELIVERY_DELAY, ChronoUnit.MILLIS);
    dispatcher = Executors.newThreadPerTaskExecutor(
        Thread.ofVirtual().name("in-memory-pubsub-" + metadata.componentName() + "-", 0).factory());
    timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("in-memory-pubsub-redelivery-" + metadata.componentName()).factory());
  }

  @Override
  public Set<PubSubFeature> features() {
    return FEATURES;
  }

  @Override
  public Health checkHealth() {
    return closed.get() ? Health.down("in-memory pub/sub is closed") : Health.up();
  }

  @Override
  public void publish(PublishRequest request) {
    InMemoryTopic.Outgoing outgoing = prepare(request);
    ensureOpen();
    InMemoryTopic topic = topics.get(request.topic());
    if (topic != null) {
      topic.publish(List.of(outgoing));
    }
  }

  /** Publishing only queues the message (or refuses it when the topic is full): done in place. */
  @Override
  public CompletableFuture<Void> publishAsync(PublishRequest request) {
    publish(request);
    return CompletableFuture.completedFuture(null);
  }

  /** Validates every request first, then publishes topic by topic (see the class documentation). */
  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    Map<String, List<InMemoryTopic.Outgoing>> byTopic = new LinkedHashMap<>();
    for (PublishRequest request : requests) {
      byTopic.computeIfAbsent(request.topic(), t -> new ArrayList<>()).add(prepare(request));
    }
    ensureOpen();
    byTopic.forEach((name, outgoing) -> {
      InMemoryTopic topic = topics.get(name);
      if (topic != null) {
        topic.publish(outgoing);
      }
    });
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    requireTopic(request.topic());
    ensureOpen();
    InMemoryConsumerGroup group = topics.computeIfAbsent(request.topic(), InMemoryTopic::new)
        .group(request.consumerGroup(), name -> new InMemoryConsumerGroup(request.topic(), name, maxQueuedPerGroup,
            redeliveryDelay, requireStarted(dispatcher), requireStarted(timer)));
    Subscription subscription = group.subscribe(handler, request.maxInFlight());
    Subscription tracked = new Subscription() {
      @Override
      public void close() {
        subscriptions.remove(this);
        subscription.close();
      }
    };
    subscriptions.add(tracked);
    return tracked;
  }

  /** Closes every subscription (their messages are dropped with the queues) and stops the threads. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Subscription subscription : subscriptions) {
      subscription.close();
    }
    if (dispatcher != null) {
      dispatcher.shutdown();
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    topics.clear();
    if (dispatcher != null) {
      try {
        dispatcher.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Messages queued or handed out in a group, for tests of the bounds; 0 for an unknown group. */
  int queuedMessages(String topic, String group) {
    InMemoryTopic t = topics.get(topic);
    return t == null ? 0 : t.groupSize(group);
  }

  private static InMemoryTopic.Outgoing prepare(PublishRequest request) {
    requireTopic(request.topic());
    OptionalLong ttl = StateRequests.ttlSeconds(request.metadata());
    return new InMemoryTopic.Outgoing(request.data().clone(),
        ttl.isPresent() ? TimeUnit.SECONDS.toNanos(ttl.getAsLong()) : 0);
  }

  private static void requireTopic(String topic) {
    if (topic.isEmpty()) {
      throw ComponentException.invalidArgument("topic must not be empty");
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw ComponentException.unavailable("in-memory pub/sub is closed", null);
    }
  }

  private static <T> T requireStarted(@Nullable T executor) {
    if (executor == null) {
      throw ComponentException.unavailable("in-memory pub/sub is not initialised (init was not called)", null);
    }
    return executor;
  }
}
