package io.layotto.components.rabbitmq;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.layotto.spi.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The component's connection is routed through a {@link TcpProxy} that the test stops and starts:
 * the connection drops as in a network failure while the shared broker keeps running.
 */
class RabbitMqConnectionLossTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String prefix = RabbitMqTestSupport.runPrefix();
  private RabbitMqTestSupport broker;
  private TcpProxy proxy;

  @BeforeEach
  void startProxy() throws Exception {
    broker = new RabbitMqTestSupport();
    proxy = new TcpProxy("127.0.0.1", 5672).start();
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
    broker.close();
  }

  private String proxiedUri() {
    return "amqp://guest:guest@127.0.0.1:" + proxy.port();
  }

  @Test
  void theSubscriptionRecoversByItselfAndNothingIsLost() throws Exception {
    String topic = prefix + "outage";
    String group = prefix + "survivor";
    broker.track(topic, group);
    Set<String> received = ConcurrentHashMap.newKeySet();
    AtomicInteger deliveries = new AtomicInteger();
    int total = 300;
    try (PubSub subscriber = RabbitMqTestSupport.open(proxiedUri(), Map.of());
        PubSub publisher = RabbitMqTestSupport.openShared(Map.of());
        Subscription ignored = subscriber.subscribe(new SubscribeRequest(topic, group, 8, Map.of()), m -> {
          deliveries.incrementAndGet();
          // Slow enough that messages are in flight when the connection drops.
          return CompletableFuture.runAsync(() -> received.add(new String(m.data(), UTF_8)),
              CompletableFuture.delayedExecutor(10, java.util.concurrent.TimeUnit.MILLISECONDS));
        })) {
      for (int i = 0; i < total / 2; i++) {
        publisher.publish(PublishRequest.of(topic, ("m" + i).getBytes(UTF_8)));
      }
      await().atMost(WAIT).until(() -> received.size() >= 20);

      proxy.stop();
      await().atMost(WAIT).until(() -> !subscriber.checkHealth().isUp());
      assertThat(subscriber.checkHealth().reason()).contains("127.0.0.1:" + proxy.port()).contains("unreachable");
      // Published while the subscriber is cut off: the group's queue keeps them.
      for (int i = total / 2; i < total; i++) {
        publisher.publish(PublishRequest.of(topic, ("m" + i).getBytes(UTF_8)));
      }
      Thread.sleep(1_000);

      proxy.start();
      await().atMost(WAIT).until(() -> subscriber.checkHealth().isUp());
      await().atMost(WAIT).until(() -> received.size() == total);
    }
    Set<String> expected = IntStream.range(0, total).mapToObj(i -> "m" + i).collect(Collectors.toSet());
    assertThat(received).isEqualTo(expected);
    assertThat(deliveries.get()).isGreaterThanOrEqualTo(total);
    assertThat(broker.messageCount(group + "-" + topic)).isZero();
  }

  @Test
  void publishingWhileTheBrokerIsUnreachableIsUnavailableAndWorksAgainAfterwards() throws Exception {
    String topic = prefix + "pub-outage";
    String group = prefix + "reader";
    broker.track(topic, group);
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (PubSub reader = RabbitMqTestSupport.openShared(Map.of());
        Subscription ignored = reader.subscribe(new SubscribeRequest(topic, group, 8, Map.of()), m -> {
          received.add(new String(m.data(), UTF_8));
          return CompletableFuture.completedFuture(null);
        });
        PubSub publisher = RabbitMqTestSupport.open(proxiedUri(), Map.of("publishTimeout", "2s"))) {
      publisher.publish(PublishRequest.of(topic, "before".getBytes(UTF_8)));

      proxy.stop();
      await().atMost(WAIT).until(() -> !publisher.checkHealth().isUp());
      assertThatThrownBy(() -> publisher.publish(PublishRequest.of(topic, "during".getBytes(UTF_8))))
          .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
          .hasMessageContaining("127.0.0.1:" + proxy.port())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("guest:guest"));

      proxy.start();
      await().atMost(WAIT).ignoreExceptions()
          .until(() -> {
            publisher.publish(PublishRequest.of(topic, "after".getBytes(UTF_8)));
            return true;
          });
      await().atMost(WAIT).until(() -> received.containsAll(Set.of("before", "after")));
    }
  }

  @Test
  void everyConfirmedPublishIsDeliveredWhenTheConnectionDropsUnderConcurrentPublishing() throws Exception {
    String topic = prefix + "confirmed";
    String group = prefix + "auditor";
    broker.track(topic, group);
    Set<String> received = ConcurrentHashMap.newKeySet();
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    AtomicInteger refused = new AtomicInteger();
    AtomicBoolean publishing = new AtomicBoolean(true);
    List<RuntimeException> unexpected = new CopyOnWriteArrayList<>();
    try (PubSub reader = RabbitMqTestSupport.openShared(Map.of());
        Subscription ignored = reader.subscribe(new SubscribeRequest(topic, group, 32, Map.of()), m -> {
          received.add(new String(m.data(), UTF_8));
          return CompletableFuture.completedFuture(null);
        });
        PubSub publisher = RabbitMqTestSupport.open(proxiedUri(), Map.of("publishTimeout", "2s"))) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        threads.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; publishing.get(); i++) {
            String id = thread + ":" + i;
            try {
              publisher.publish(PublishRequest.of(topic, id.getBytes(UTF_8)));
              confirmed.add(id);
            } catch (ComponentException e) {
              if (e.kind() == Kind.UNAVAILABLE) {
                refused.incrementAndGet();
              } else {
                unexpected.add(e);
              }
            } catch (RuntimeException e) {
              unexpected.add(e);
            }
          }
        }));
      }
      await().atMost(WAIT).until(() -> confirmed.size() >= 200);
      proxy.stop();
      await().atMost(WAIT).until(() -> refused.get() >= 8);
      proxy.start();
      int before = confirmed.size();
      await().atMost(WAIT).until(() -> confirmed.size() >= before + 200);
      publishing.set(false);
      for (Thread thread : threads) {
        thread.join(Duration.ofSeconds(10));
        assertThat(thread.isAlive()).as("a publisher hung").isFalse();
      }
      await().atMost(WAIT).until(() -> received.containsAll(confirmed));
    }
    assertThat(received).containsAll(confirmed);
    assertThat(unexpected).as("publish failures other than UNAVAILABLE").isEmpty();
  }

  @Test
  void topologyLostDuringTheOutageIsDeclaredAgainOnRecovery() throws Exception {
    String topic = prefix + "lost-topology";
    String group = prefix + "rebuilder";
    broker.track(topic, group);
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (PubSub subscriber = RabbitMqTestSupport.open(proxiedUri(), Map.of());
        PubSub publisher = RabbitMqTestSupport.openShared(Map.of());
        Subscription ignored = subscriber.subscribe(new SubscribeRequest(topic, group, 4, Map.of()), m -> {
          received.add(new String(m.data(), UTF_8));
          return CompletableFuture.completedFuture(null);
        })) {
      proxy.stop();
      await().atMost(WAIT).until(() -> !subscriber.checkHealth().isUp());
      // As if the broker had restarted without them: the queue and the exchange are gone.
      broker.deleteQueue(group + "-" + topic);
      broker.deleteExchange(topic);
      assertThat(broker.queueExists(group + "-" + topic)).isFalse();

      proxy.start();
      await().atMost(WAIT).until(() -> broker.queueExists(group + "-" + topic));
      publisher.publish(PublishRequest.of(topic, "after recovery".getBytes(UTF_8)));
      await().atMost(WAIT).until(() -> received.contains("after recovery"));
    }
  }
}
