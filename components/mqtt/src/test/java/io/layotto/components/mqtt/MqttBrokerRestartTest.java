package io.layotto.components.mqtt;

import static io.layotto.components.mqtt.MqttTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A private mosquitto is stopped (SIGTERM) or killed (SIGKILL) and started again while a subscription has messages handed out and not acked and more
 * queued for it. Publisher and subscription must reconnect by themselves, the subscription resume its
 * persistent session, and every message arrive (at least once).
 */
class MqttBrokerRestartTest {

  private static final int BEFORE = 200;
  private static final int AFTER = 50;

  /** How the broker goes away. */
  enum Outage { STOP, CRASH }

  static Stream<Arguments> cases() {
    return Stream.of(Version.values()).flatMap(v -> Stream.of(Outage.values()).map(o -> Arguments.of(v, o)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void aSubscriptionSurvivesABrokerRestartWithoutLosingAMessage(Version version, Outage outage) throws Exception {
    ScheduledExecutorService app = Executors.newScheduledThreadPool(2);
    try (PrivateMosquitto broker = new PrivateMosquitto()) {
      broker.start();
      String topic = "restart-" + MqttTestSupport.runId();
      MqttPubSub pubSub = MqttTestSupport.started(version, broker.url(), Map.of());
      try {
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        // a slow app: 10 in flight, 100 ms (crash: 200 ms) each, so messages are unacked and queued when the
        // broker goes
        long millis = outage == Outage.STOP ? 100 : 200;
        Subscription subscription = pubSub.subscribe(new SubscribeRequest(topic, "restart-group", 10, Map.of()), m -> {
          deliveries.incrementAndGet();
          CompletableFuture<Void> done = new CompletableFuture<>();
          app.schedule(() -> {
            received.add(MqttTestSupport.text(m));
            done.complete(null);
          }, millis, TimeUnit.MILLISECONDS);
          return done;
        });
        pubSub.bulkPublish(IntStream.range(0, BEFORE).mapToObj(i -> PublishRequest.of(topic, text("m-" + i))).toList());
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 50);

        if (outage == Outage.STOP) {
          broker.stop();
        } else {
          // SIGKILL once the broker saved its store since the publishes (autosave every second): acks
          // after the save are forgotten and those messages come again, none may be lost
          Thread.sleep(1_500);
          broker.kill();
        }
        int receivedAtStop = received.size();
        assertThat(receivedAtStop).isLessThan(BEFORE);
        await().atMost(Duration.ofSeconds(10)).until(() -> !pubSub.checkHealth().isUp());
        assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic, text("during-outage"))))
            .isInstanceOfSatisfying(ComponentException.class,
                e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
            .hasMessageContaining("127.0.0.1:" + broker.port());
        Thread.sleep(1_000);

        broker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pubSub.checkHealth().isUp());
        pubSub.bulkPublish(IntStream.range(0, AFTER).mapToObj(i -> PublishRequest.of(topic, text("n-" + i))).toList());

        List<String> expected = IntStream.range(0, BEFORE).mapToObj(i -> "m-" + i).toList();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(received).containsAll(expected);
          assertThat(received).containsAll(IntStream.range(0, AFTER).mapToObj(i -> "n-" + i).toList());
        });
        subscription.close();
        System.out.printf("%s broker %s: %d messages (%d handled before), 0 lost, %d duplicate deliveries%n", version,
            outage, BEFORE + AFTER, receivedAtStop, Math.max(0, deliveries.get() - received.size()));
      } finally {
        pubSub.close();
      }
    } finally {
      app.shutdownNow();
    }
  }
}
