package io.layotto.components.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A private broker is stopped while a subscription has messages in flight and started again on the
 * same port and data: the component reports DOWN, fails publishes with UNAVAILABLE meanwhile, and
 * afterwards delivers everything without help from the app.
 */
class KafkaRestartTest {

  @Test
  void survivesABrokerRestart() {
    try (EmbeddedKafka kafka = EmbeddedKafka.launch();
        KafkaPubSub pubSub = KafkaTestSupport.started(kafka.bootstrapServers(),
            Map.of(KafkaSettings.PUBLISH_TIMEOUT, "3s"))) {
      String topic = KafkaTestSupport.runId() + "-restart";
      Set<String> received = ConcurrentHashMap.newKeySet();
      AtomicInteger deliveries = new AtomicInteger();
      // answers slowly, so messages are in flight when the broker goes away
      Subscription subscription = pubSub.subscribe(new SubscribeRequest(topic, "restart-group", 4, Map.of()),
          m -> {
            deliveries.incrementAndGet();
            received.add(new String(m.data(), UTF_8));
            return CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(50, java.util.concurrent.TimeUnit.MILLISECONDS));
          });
      try {
        List<String> before = IntStream.range(0, 20).mapToObj(i -> "before-" + i).toList();
        before.forEach(p -> pubSub.publish(PublishRequest.of(topic, p.getBytes(UTF_8))));
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 5);

        kafka.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> !pubSub.checkHealth().isUp());
        assertThat(pubSub.checkHealth().reason()).contains(kafka.bootstrapServers());
        assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic, "while-down".getBytes(UTF_8))))
            .isInstanceOfSatisfying(ComponentException.class,
                e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE));

        kafka.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pubSub.checkHealth().isUp());
        List<String> after = IntStream.range(0, 20).mapToObj(i -> "after-" + i).toList();
        after.forEach(p -> pubSub.publish(PublishRequest.of(topic, p.getBytes(UTF_8))));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received)
            .containsAll(before).containsAll(after));
        System.out.printf("kafka restart: 40 messages, 0 lost, %d duplicate deliveries%n",
            deliveries.get() - received.size());
      } finally {
        subscription.close();
      }
    }
  }
}
