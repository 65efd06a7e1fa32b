package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pending-entry reclaim: entries a consumer took and never acked (it died) are delivered to another
 * consumer of the group once they have been pending for {@code processingTimeout}, not before.
 */
class RedisPubSubReclaimTest {

  private static final Duration PROCESSING_TIMEOUT = Duration.ofSeconds(2);

  private final RedisTestSupport redis = new RedisTestSupport(0);

  @AfterEach
  void cleanUp() {
    redis.close();
  }

  private static RedisPubSub sidecar() {
    return RedisPubSubTest.openPubSub(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisStreamsSettings.PROCESSING_TIMEOUT, PROCESSING_TIMEOUT.toMillis() + "ms"));
  }

  private static String text(Message m) {
    return new String(m.data(), StandardCharsets.UTF_8);
  }

  @Test
  void entriesOfAConsumerThatDiedAreClaimedByAnotherAfterTheIdleTimeout() throws Exception {
    String topic = redis.key("dead-raw");
    try (RedisPubSub survivor = sidecar()) {
      // A consumer that reads three entries and dies before acking any of them.
      redis.raw().xgroupCreate(StreamOffset.from(topic, "0"), "g", XGroupCreateArgs.Builder.mkstream());
      for (int i = 0; i < 3; i++) {
        survivor.publish(PublishRequest.of(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      long diedAt = System.nanoTime(); // just before the read: Redis stamps the delivery while running it
      List<StreamMessage<String, byte[]>> taken = redis.raw().xreadgroup(Consumer.from("g", "dead"),
          XReadArgs.Builder.count(10), StreamOffset.lastConsumed(topic));
      assertThat(taken).hasSize(3);

      List<Message> received = new CopyOnWriteArrayList<>();
      List<Long> receivedAfterNanos = new CopyOnWriteArrayList<>();
      try (Subscription ignored = survivor.subscribe(new SubscribeRequest(topic, "g", 8, Map.of()), m -> {
        received.add(m);
        receivedAfterNanos.add(System.nanoTime() - diedAt);
        return CompletableFuture.completedFuture(null);
      })) {
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
      }
      assertThat(received).extracting(RedisPubSubReclaimTest::text).containsExactlyInAnyOrder("m0", "m1", "m2");
      assertThat(received).allSatisfy(m -> assertThat(m.metadata()).containsEntry(StreamEntries.REDELIVERED, "true"));
      // Not before the entries had been idle for processingTimeout. Redis measures idle time in whole
      // milliseconds of its own clock, hence the few milliseconds of tolerance.
      assertThat(receivedAfterNanos).allSatisfy(n -> assertThat(n)
          .isGreaterThanOrEqualTo(PROCESSING_TIMEOUT.minusMillis(5).toNanos()));
    }
  }

  @Test
  void aSidecarThatStopsWithUnfinishedMessagesLosesNoneToTheGroup() {
    String topic = redis.key("dead-sidecar");
    List<String> seenByFirst = new CopyOnWriteArrayList<>();
    RedisPubSub first = sidecar();
    first.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
      seenByFirst.add(text(m));
      return new CompletableFuture<>(); // the app never answers
    });
    for (int i = 0; i < 10; i++) {
      first.publish(PublishRequest.of(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> seenByFirst.size() == 4);
    first.close(); // four entries stay pending on its consumer, six were never read

    List<String> seenBySecond = new CopyOnWriteArrayList<>();
    try (RedisPubSub second = sidecar();
        Subscription ignored = second.subscribe(new SubscribeRequest(topic, "g", 4, Map.of()), m -> {
          seenBySecond.add(text(m));
          return CompletableFuture.completedFuture(null);
        })) {
      await().atMost(Duration.ofSeconds(20)).until(() -> seenBySecond.size() >= 10);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    }
    assertThat(seenBySecond).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, 10).mapToObj(i -> "m" + i).toList());
    assertThat(seenBySecond).containsAll(seenByFirst);
  }

  @Test
  void aLiveConsumerKeepsItsSlowMessagesAndGetsNoDuplicateFromItself() throws Exception {
    String topic = redis.key("slow");
    List<CompletableFuture<Void>> open = new CopyOnWriteArrayList<>();
    try (RedisPubSub sidecar = RedisPubSubTest.openPubSub(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisStreamsSettings.PROCESSING_TIMEOUT, "300ms"));
        Subscription ignored = sidecar.subscribe(new SubscribeRequest(topic, "g", 2, Map.of()), m -> {
          CompletableFuture<Void> stage = new CompletableFuture<>();
          open.add(stage);
          return stage;
        })) {
      sidecar.publish(PublishRequest.of(topic, "slow".getBytes(StandardCharsets.UTF_8)));
      await().atMost(Duration.ofSeconds(10)).until(() -> open.size() == 1);
      Thread.sleep(1_500); // five processing timeouts: the own reclaim rounds claim it but must not hand it out again
      assertThat(open).hasSize(1);
      open.getFirst().complete(null);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
    }
  }

  @Test
  void pendingEntriesDeletedFromTheStreamAreSkippedAndTheRestStillArrives() {
    String topic = redis.key("deleted");
    try (RedisPubSub survivor = sidecar()) {
      redis.raw().xgroupCreate(StreamOffset.from(topic, "0"), "g", XGroupCreateArgs.Builder.mkstream());
      for (int i = 0; i < 4; i++) {
        survivor.publish(PublishRequest.of(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      List<StreamMessage<String, byte[]>> taken = redis.raw().xreadgroup(Consumer.from("g", "dead"),
          XReadArgs.Builder.count(10), StreamOffset.lastConsumed(topic));
      // Two of the dead consumer's entries are trimmed away (as MAXLEN would) before anyone claims them.
      redis.raw().xdel(topic, taken.get(0).getId(), taken.get(2).getId());
      List<String> received = new CopyOnWriteArrayList<>();
      try (Subscription ignored = survivor.subscribe(new SubscribeRequest(topic, "g", 8, Map.of()), m -> {
        received.add(text(m));
        return CompletableFuture.completedFuture(null);
      })) {
        survivor.publish(PublishRequest.of(topic, "after".getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.raw().xpending(topic, "g").getCount() == 0);
      }
      assertThat(received).containsExactlyInAnyOrder("m1", "m3", "after");
    }
  }

  @Test
  void consumersLeftEmptyAndIdleAreRemovedButNotThoseHoldingEntries() {
    String topic = redis.key("prune");
    try (RedisPubSub sidecar = RedisPubSubTest.openPubSub(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisStreamsSettings.PROCESSING_TIMEOUT, "300ms"))) {
      redis.raw().xgroupCreate(StreamOffset.from(topic, "0"), "g", XGroupCreateArgs.Builder.mkstream());
      sidecar.publish(PublishRequest.of(topic, "held".getBytes(StandardCharsets.UTF_8)));
      assertThat(redis.raw().xreadgroup(Consumer.from("g", "holding"), XReadArgs.Builder.count(1),
          StreamOffset.lastConsumed(topic))).hasSize(1);
      redis.raw().xgroupCreateconsumer(topic, Consumer.from("g", "gone"));
      sidecar.publish(PublishRequest.of(topic, "mine".getBytes(StandardCharsets.UTF_8)));
      List<String> received = new CopyOnWriteArrayList<>();
      // One slot, never freed: the subscription cannot claim the held entry, so "holding" keeps it.
      try (Subscription ignored = sidecar.subscribe(new SubscribeRequest(topic, "g", 1, Map.of()), m -> {
        received.add(text(m));
        return new CompletableFuture<>();
      })) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !consumerNames(topic).contains("gone"));
        assertThat(consumerNames(topic)).contains("holding").hasSize(2);
        assertThat(received).containsExactly("mine");
      }
    }
  }

  private List<String> consumerNames(String topic) {
    return redis.raw().xinfoConsumers(topic, "g").stream()
        .map(consumer -> {
          List<?> fields = (List<?>) consumer;
          for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("name".equals(asText(fields.get(i)))) {
              return asText(fields.get(i + 1));
            }
          }
          return "";
        }).toList();
  }

  private static String asText(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
  }
}
