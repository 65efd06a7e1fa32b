package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.lettuce.core.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis Streams pub/sub against the shared Redis: layout, delivery, acks, back-pressure, bulk, settings. */
class RedisPubSubTest {

  private final RedisTestSupport redis = new RedisTestSupport(0);
  private RedisPubSub pubsub;

  @BeforeEach
  void open() {
    pubsub = openPubSub(RedisTestSupport.SHARED_REDIS, Map.of());
  }

  @AfterEach
  void close() {
    pubsub.close();
    redis.close();
  }

  /** A pub/sub with timeouts short enough for tests; {@code extra} overrides them. */
  static RedisPubSub openPubSub(String address, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(Map.of(
        RedisStreamsSettings.PROCESSING_TIMEOUT, "1s",
        RedisStreamsSettings.REDELIVER_INTERVAL, "200ms"));
    properties.putAll(extra);
    RedisPubSub pubsub = new RedisPubSub();
    pubsub.init(RedisTestSupport.metadata(address, properties));
    return pubsub;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Message message) {
    return new String(message.data(), StandardCharsets.UTF_8);
  }

  @Test
  void theFactoryIsFoundByTypeAndDeclaresOnlyBulkPublish() {
    PubSubFactory factory = ServiceLoader.load(PubSubFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("redis")).findFirst().orElseThrow();
    assertThat(factory.capabilities()).containsExactly(PubSubFeature.BULK_PUBLISH);
    assertThat(factory.create().features()).isEqualTo(factory.capabilities());
    assertThat(factory.metadataSchema().field("redisHost")).isPresent();
    assertThat(factory.metadataSchema().field("processingTimeout")).isPresent();
    assertThat(factory.metadataSchema().field("maxLenApprox")).isPresent();
  }

  @Test
  void publishWritesDaprsEntryLayoutAndDeliversTheBytesUnchanged() {
    String topic = redis.key("layout");
    byte[] payload = {0, (byte) 0xff, 'a', 10, (byte) 0x80};
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      received.add(m);
      return CompletableFuture.completedFuture(null);
    })) {
      pubsub.publish(new PublishRequest(topic, payload, "application/octet-stream", Map.of("traceid", "t1")));
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    }
    Message m = received.getFirst();
    assertThat(m.topic()).isEqualTo(topic);
    assertThat(m.data()).isEqualTo(payload);
    assertThat(m.metadata()).containsEntry("traceid", "t1").containsKey(StreamEntries.STREAM_ID);
    List<StreamMessage<String, byte[]>> entries = redis.raw().xrange(topic, io.lettuce.core.Range.create("-", "+"));
    assertThat(entries).hasSize(1);
    assertThat(entries.getFirst().getBody()).containsOnlyKeys("data", "metadata");
    assertThat(entries.getFirst().getBody().get("data")).isEqualTo(payload);
    assertThat(new String(entries.getFirst().getBody().get("metadata"), StandardCharsets.UTF_8))
        .isEqualTo("{\"traceid\":\"t1\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
  }

  @Test
  void anEntryWrittenByDaprOrAnotherProducerIsDelivered() {
    String topic = redis.key("foreign");
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      received.add(m);
      return CompletableFuture.completedFuture(null);
    })) {
      redis.raw().xadd(topic, Map.of("data", bytes("from dapr"), "metadata", bytes("{\"k\":\"v\"}")));
      redis.raw().xadd(topic, Map.of("other", bytes("no data field")));
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    }
    assertThat(text(received.get(0))).isEqualTo("from dapr");
    assertThat(received.get(0).metadata()).containsEntry("k", "v");
    assertThat(received.get(1).data()).isEmpty();
  }

  @Test
  void aNewGroupStartsAtTheBeginningOfTheStreamAndAReturningGroupMissesNothing() {
    String topic = redis.key("start");
    pubsub.publish(PublishRequest.of(topic, bytes("before any subscriber")));
    List<String> received = new CopyOnWriteArrayList<>();
    Subscription first = pubsub.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    first.close();
    pubsub.publish(PublishRequest.of(topic, bytes("while away")));
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    }
    assertThat(received).containsExactly("before any subscriber", "while away");
  }

  @Test
  void consumersOfOneGroupShareAndGroupsFanOut() {
    String topic = redis.key("share");
    Map<String, AtomicInteger> perSubscription = new ConcurrentHashMap<>();
    Set<String> groupA = ConcurrentHashMap.newKeySet();
    Set<String> groupB = ConcurrentHashMap.newKeySet();
    try (Subscription a1 = pubsub.subscribe(new SubscribeRequest(topic, "a", 1, Map.of()), m -> {
      groupA.add(text(m));
      perSubscription.computeIfAbsent("a1", k -> new AtomicInteger()).incrementAndGet();
      return CompletableFuture.runAsync(() -> sleep(5));
    });
        Subscription a2 = pubsub.subscribe(new SubscribeRequest(topic, "a", 1, Map.of()), m -> {
          groupA.add(text(m));
          perSubscription.computeIfAbsent("a2", k -> new AtomicInteger()).incrementAndGet();
          return CompletableFuture.runAsync(() -> sleep(5));
        });
        Subscription b = pubsub.subscribe(new SubscribeRequest(topic, "b", 8, Map.of()), m -> {
          groupB.add(text(m));
          return CompletableFuture.completedFuture(null);
        })) {
      for (int i = 0; i < 100; i++) {
        pubsub.publish(PublishRequest.of(topic, bytes("m" + i)));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> groupA.size() == 100 && groupB.size() == 100);
    }
    assertThat(perSubscription.get("a1").get()).isPositive();
    assertThat(perSubscription.get("a2").get()).isPositive();
    assertThat(perSubscription.get("a1").get() + perSubscription.get("a2").get()).isEqualTo(100);
  }

  @Test
  void aFailedMessageIsDeliveredAgainAfterTheRedeliverIntervalAndAckedOnSuccess() {
    String topic = redis.key("retry");
    List<Message> deliveries = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      deliveries.add(m);
      return deliveries.size() < 3
          ? CompletableFuture.failedFuture(new IllegalStateException("app said RETRY"))
          : CompletableFuture.completedFuture(null);
    })) {
      pubsub.publish(PublishRequest.of(topic, bytes("retry me")));
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.size() == 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    }
    assertThat(deliveries).extracting(RedisPubSubTest::text).containsOnly("retry me");
    assertThat(deliveries.get(0).metadata()).containsEntry(StreamEntries.REDELIVERED, "false");
    assertThat(deliveries.get(2).metadata()).containsEntry(StreamEntries.REDELIVERED, "true");
  }

  @Test
  void aHandlerThatThrowsCountsAsAFailure() {
    String topic = redis.key("throws");
    AtomicInteger calls = new AtomicInteger();
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()), m -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("boom");
      }
      return CompletableFuture.completedFuture(null);
    })) {
      pubsub.publish(PublishRequest.of(topic, bytes("x")));
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    }
  }

  @Test
  void noMoreThanMaxInFlightMessagesAreHandedOut() throws Exception {
    String topic = redis.key("inflight");
    List<CompletableFuture<Void>> open = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 10; i++) {
      pubsub.publish(PublishRequest.of(topic, bytes("m" + i)));
    }
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 3, Map.of()), m -> {
      CompletableFuture<Void> stage = new CompletableFuture<>();
      open.add(stage);
      return stage;
    })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> open.size() == 3);
      Thread.sleep(500);
      assertThat(open).hasSize(3);
      open.forEach(stage -> stage.complete(null));
      await().atMost(Duration.ofSeconds(10)).until(() -> open.size() == 6);
      Thread.sleep(300);
      assertThat(open).hasSize(6);
      open.forEach(stage -> stage.complete(null));
    }
  }

  @Test
  void failedMessagesKeepTheirSlotsSoAFailingHandlerDoesNotDrainTheStream() throws Exception {
    String topic = redis.key("failing");
    Set<String> distinct = ConcurrentHashMap.newKeySet();
    AtomicInteger attempts = new AtomicInteger();
    for (int i = 0; i < 10; i++) {
      pubsub.publish(PublishRequest.of(topic, bytes("m" + i)));
    }
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 2, Map.of()), m -> {
      distinct.add(text(m));
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("the app is broken"));
    })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() >= 6); // redelivered several times
      assertThat(distinct).hasSize(2);
      assertThat(redis.raw().xpending(topic, "g").getCount()).isEqualTo(2);
    }
  }

  @Test
  void concurrencyCapsTheInFlightMessages() throws Exception {
    try (RedisPubSub capped = openPubSub(RedisTestSupport.SHARED_REDIS, Map.of(RedisStreamsSettings.CONCURRENCY, "2"))) {
      String topic = redis.key("capped");
      List<CompletableFuture<Void>> open = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 5; i++) {
        capped.publish(PublishRequest.of(topic, bytes("m" + i)));
      }
      try (Subscription ignored = capped.subscribe(new SubscribeRequest(topic, "g", 100, Map.of()), m -> {
        CompletableFuture<Void> stage = new CompletableFuture<>();
        open.add(stage);
        return stage;
      })) {
        await().atMost(Duration.ofSeconds(10)).until(() -> open.size() == 2);
        Thread.sleep(400);
        assertThat(open).hasSize(2);
        open.forEach(stage -> stage.complete(null));
      }
    }
  }

  @Test
  void acksCompletedFromManyThreadsAtOnceAreAllSentAndNothingIsRedelivered() throws Exception {
    String topic = redis.key("acks");
    int count = 3_000;
    List<PublishRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(PublishRequest.of(topic, bytes("m" + i)));
    }
    pubsub.bulkPublish(requests);
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    java.util.concurrent.ExecutorService completers = java.util.concurrent.Executors.newFixedThreadPool(8);
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 500, Map.of()), m -> {
      deliveries.computeIfAbsent(text(m), k -> new AtomicInteger()).incrementAndGet();
      // completed off the loop thread, many at a time, so acks queue up behind an XACK in flight
      return CompletableFuture.runAsync(() -> { }, completers);
    })) {
      await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == count);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
      Thread.sleep(1_500); // past processingTimeout (1s): an entry left unacked would be claimed and delivered again
    } finally {
      completers.shutdown();
    }
    assertThat(deliveries.values()).allMatch(n -> n.get() == 1);
  }

  @Test
  void bulkPublishAppendsEveryMessageInOrderInOneScript() {
    String topic = redis.key("bulk");
    String other = redis.key("bulk-other");
    pubsub.bulkPublish(List.of(
        PublishRequest.of(topic, bytes("1")),
        new PublishRequest(other, bytes("2"), null, Map.of("k", "v")),
        PublishRequest.of(topic, bytes("3"))));
    assertThat(redis.raw().xrange(topic, io.lettuce.core.Range.create("-", "+")))
        .extracting(e -> new String(e.getBody().get("data"), StandardCharsets.UTF_8)).containsExactly("1", "3");
    List<StreamMessage<String, byte[]>> others = redis.raw().xrange(other, io.lettuce.core.Range.create("-", "+"));
    assertThat(others).hasSize(1);
    assertThat(new String(others.getFirst().getBody().get("metadata"), StandardCharsets.UTF_8)).isEqualTo("{\"k\":\"v\"}");
  }

  @Test
  void aBulkPublishWithATopicThatIsNotAStreamWritesNothing() {
    String topic = redis.key("bulk-fine");
    String notAStream = redis.key("bulk-string");
    redis.raw().set(notAStream, bytes("plain"));
    var e = RedisTestSupport.assertFailsWith(() -> pubsub.bulkPublish(List.of(
        PublishRequest.of(topic, bytes("1")), PublishRequest.of(notAStream, bytes("2")))), Kind.INTERNAL);
    assertThat(e.getMessage()).contains(notAStream, "not a stream");
    assertThat(redis.raw().exists(topic)).isZero();
  }

  @Test
  void maxLenApproxTrimsTheStream() {
    try (RedisPubSub trimmed = openPubSub(RedisTestSupport.SHARED_REDIS, Map.of(RedisStreamsSettings.MAX_LEN_APPROX, "10"))) {
      String topic = redis.key("trim");
      for (int i = 0; i < 1000; i++) {
        trimmed.publish(PublishRequest.of(topic, bytes("m" + i)));
      }
      // "~" trims whole radix-tree nodes (100 entries by default), so about 10 means at most one node more.
      assertThat(redis.raw().xlen(topic)).isLessThan(1000).isLessThanOrEqualTo(10 + 100);
      String bulkTopic = redis.key("trim-bulk");
      for (int i = 0; i < 10; i++) {
        trimmed.bulkPublish(java.util.stream.IntStream.range(0, 100)
            .mapToObj(n -> PublishRequest.of(bulkTopic, bytes("b" + n))).toList());
      }
      assertThat(redis.raw().xlen(bulkTopic)).isLessThan(1000);
    }
  }

  @Test
  void closingLeavesUnfinishedMessagesPendingForTheGroup() {
    String topic = redis.key("close");
    List<String> first = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> neverInTime = new CompletableFuture<>();
    Subscription s = pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()), m -> {
      first.add(text(m));
      return neverInTime;
    });
    pubsub.publish(PublishRequest.of(topic, bytes("unfinished")));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.size() == 1);
    s.close();
    neverInTime.complete(null); // too late: closed subscriptions do not ack
    assertThat(redis.raw().xpending(topic, "g").getCount()).isEqualTo(1);
    List<String> second = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()), m -> {
      second.add(text(m));
      return CompletableFuture.completedFuture(null);
    })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> second.size() == 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    }
    assertThat(second).containsExactly("unfinished");
  }

  @Test
  void aClosedSubscriptionWithNothingPendingLeavesNoConsumerBehind() {
    String topic = redis.key("tidy");
    Subscription s = pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()),
        m -> CompletableFuture.completedFuture(null));
    pubsub.publish(PublishRequest.of(topic, bytes("x")));
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    s.close();
    assertThat(redis.raw().xinfoConsumers(topic, "g")).isEmpty();
  }

  @Test
  void aHandlerMayCloseItsOwnSubscription() {
    String topic = redis.key("self-close");
    List<String> received = new CopyOnWriteArrayList<>();
    Subscription[] self = new Subscription[1];
    CompletableFuture<Void> closed = new CompletableFuture<>();
    self[0] = pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()), m -> {
      received.add(text(m));
      self[0].close();
      closed.complete(null);
      return CompletableFuture.completedFuture(null);
    });
    pubsub.publish(PublishRequest.of(topic, bytes("first")));
    await().atMost(Duration.ofSeconds(10)).until(closed::isDone);
    pubsub.publish(PublishRequest.of(topic, bytes("second")));
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertThat(received).containsExactly("first");
  }

  @Test
  void aTopicThatHoldsAnotherTypeCannotBeSubscribed() {
    String topic = redis.key("wrongtype");
    redis.raw().set(topic, bytes("plain"));
    var e = RedisTestSupport.assertFailsWith(() -> pubsub.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()),
        m -> CompletableFuture.completedFuture(null)), Kind.INTERNAL);
    assertThat(e.getMessage()).contains(topic, "WRONGTYPE");
    RedisTestSupport.assertFailsWith(() -> pubsub.publish(PublishRequest.of(topic, bytes("x"))), Kind.INTERNAL);
  }

  @Test
  void anEmptyTopicIsRejected() {
    RedisTestSupport.assertFailsWith(() -> pubsub.publish(PublishRequest.of("", bytes("x"))), Kind.INVALID_ARGUMENT);
    RedisTestSupport.assertFailsWith(() -> pubsub.subscribe(new SubscribeRequest("", "g", 1, Map.of()),
        m -> CompletableFuture.completedFuture(null)), Kind.INVALID_ARGUMENT);
  }

  @Test
  void badStreamSettingsAreRejectedNamingKeyAndValue() {
    for (Map.Entry<String, String> bad : Map.of(
        RedisStreamsSettings.PROCESSING_TIMEOUT, "0",
        RedisStreamsSettings.REDELIVER_INTERVAL, "soon",
        RedisStreamsSettings.QUEUE_DEPTH, "0",
        RedisStreamsSettings.CONCURRENCY, "-1",
        RedisStreamsSettings.MAX_LEN_APPROX, "-5").entrySet()) {
      var e = RedisTestSupport.assertFailsWith(() -> RedisStreamsSettings.from(
          new Metadata("ps", Map.of(RedisSettings.REDIS_HOST, "h:1", bad.getKey(), bad.getValue()))), Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains(bad.getKey(), bad.getValue(), "ps");
    }
    RedisStreamsSettings plain = RedisStreamsSettings.from(new Metadata("ps", Map.of("processingTimeout", "2500")));
    assertThat(plain.processingTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(plain.redeliverInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(plain.maxInFlight(7)).isEqualTo(7);
    assertThat(RedisStreamsSettings.SCHEMA.validate(Map.of("redisHost", "h:1", "processingTimeout", "abc"))).hasSize(1);
  }

  @Test
  void healthIsUpWhileConnected() {
    assertThat(pubsub.checkHealth().isUp()).isTrue();
    assertThat(new RedisPubSub().checkHealth().isUp()).isFalse();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
