package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A private redis-server with AOF (fsync on every write) is killed with SIGKILL while the
 * subscriber holds unacked messages, then restarted on the same port: the subscription reconnects
 * by itself and every message published is delivered (none lost); duplicates are counted.
 */
class RedisPubSubRestartTest {

  /**
   * Messages published before and after the crash, each: 1,000 by default (CI), more with
   * {@code -Dlayotto.redis.restartMessages=50000} (the full size is 100,000 in all).
   */
  private static final int BEFORE_CRASH = Integer.getInteger("layotto.redis.restartMessages", 1_000);
  private static final int AFTER_CRASH = BEFORE_CRASH;
  private static final int BATCH = 100;
  private static final int MAX_IN_FLIGHT = 8;

  private PrivateRedisServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = new PrivateRedisServer(List.of("--appendonly", "yes", "--appendfsync", "always"));
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void aSubscriberLosesNothingWhenRedisIsKilledAndRestarted() throws Exception {
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    AtomicBoolean hold = new AtomicBoolean();
    List<CompletableFuture<Void>> held = new CopyOnWriteArrayList<>();
    Map<String, String> fast = Map.of(
        RedisSettings.MAX_RETRY_BACKOFF, "200ms",
        RedisStreamsSettings.PROCESSING_TIMEOUT, "1s",
        RedisStreamsSettings.REDELIVER_INTERVAL, "200ms");
    try (RedisPubSub publisher = RedisPubSubTest.openPubSub(server.address(), fast);
        RedisPubSub subscriber = RedisPubSubTest.openPubSub(server.address(), fast);
        Subscription ignored = subscriber.subscribe(new SubscribeRequest("orders", "g", MAX_IN_FLIGHT, Map.of()), m -> {
          deliveries.computeIfAbsent(new String(m.data(), StandardCharsets.UTF_8), k -> new AtomicInteger())
              .incrementAndGet();
          if (hold.get()) {
            CompletableFuture<Void> stage = new CompletableFuture<>();
            held.add(stage);
            return stage;
          }
          return CompletableFuture.completedFuture(null);
        })) {
      // Single publishes (one fsync each) and bulk publishes (one script per batch) alike.
      for (int i = 0; i < BEFORE_CRASH / 2; i++) {
        publisher.publish(PublishRequest.of("orders", ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      hold.set(true); // from here on the app answers nothing until Redis has crashed
      for (int i = BEFORE_CRASH / 2; i < BEFORE_CRASH; i += BATCH) {
        publisher.bulkPublish(batch(i, Math.min(i + BATCH, BEFORE_CRASH)));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == MAX_IN_FLIGHT);
      assertThat(pendingOf(server, "orders")).isGreaterThanOrEqualTo(MAX_IN_FLIGHT);

      server.kill(); // SIGKILL: no shutdown, only what the AOF has
      hold.set(false);
      held.forEach(stage -> stage.complete(null)); // the app answers while Redis is down: the acks fail
      assertThat(subscriber.checkHealth().isUp()).isFalse();
      server.start();

      publishUntilAccepted(publisher, "orders", "m" + BEFORE_CRASH);
      for (int i = BEFORE_CRASH + 1; i < BEFORE_CRASH + AFTER_CRASH; i += BATCH) {
        publisher.bulkPublish(batch(i, Math.min(i + BATCH, BEFORE_CRASH + AFTER_CRASH)));
      }
      await().atMost(Duration.ofSeconds(60).plusMillis(BEFORE_CRASH * 10L))
          .until(() -> deliveries.size() == BEFORE_CRASH + AFTER_CRASH);
      await().atMost(Duration.ofSeconds(20)).until(() -> pendingOf(server, "orders") == 0);
      assertThat(subscriber.checkHealth().isUp()).isTrue();
    }
    for (int i = 0; i < BEFORE_CRASH + AFTER_CRASH; i++) {
      assertThat(deliveries).as("message m%d", i).containsKey("m" + i);
    }
    int duplicates = deliveries.values().stream().mapToInt(AtomicInteger::get).sum() - deliveries.size();
    System.out.printf("redis restart: %d messages, 0 lost, %d duplicate deliveries%n", deliveries.size(), duplicates);
  }

  @Test
  void aSubscriptionRecreatesItsGroupWhenRedisComesBackWithoutData() throws Exception {
    try (PrivateRedisServer volatileServer = new PrivateRedisServer()) {
      volatileServer.start();
      Map<String, String> fast = Map.of(RedisSettings.MAX_RETRY_BACKOFF, "200ms");
      List<String> received = new CopyOnWriteArrayList<>();
      try (RedisPubSub pubsub = RedisPubSubTest.openPubSub(volatileServer.address(), fast);
          Subscription ignored = pubsub.subscribe(new SubscribeRequest("events", "g", 4, Map.of()), m -> {
            received.add(new String(m.data(), StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
          })) {
        pubsub.publish(PublishRequest.of("events", "before".getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("before"));
        volatileServer.kill();
        volatileServer.start(); // empty: no stream, no group
        // The loop meets NOGROUP and creates the group again; until then a publish may land before it.
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOrMissing(volatileServer, "events") == 0);
        publishUntilAccepted(pubsub, "events", "after");
        await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("after"));
      }
    }
  }

  /** 0 once the group exists again with nothing pending; -1 while it does not exist. */
  private static long pendingOrMissing(PrivateRedisServer server, String topic) {
    try {
      return pendingOf(server, topic);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static List<PublishRequest> batch(int from, int to) {
    return java.util.stream.IntStream.range(from, to)
        .mapToObj(i -> PublishRequest.of("orders", ("m" + i).getBytes(StandardCharsets.UTF_8))).toList();
  }

  /** Publishing right after the restart may fail until Lettuce has reconnected; that is the publisher's retry. */
  private static void publishUntilAccepted(RedisPubSub publisher, String topic, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        publisher.publish(PublishRequest.of(topic, text.getBytes(StandardCharsets.UTF_8)));
        return;
      } catch (ComponentException e) {
        if (e.kind() != Kind.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static long pendingOf(PrivateRedisServer server, String topic) {
    RedisClient client = RedisClient.create("redis://" + server.address());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().xpending(topic, "g").getCount();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
