package io.layotto.components.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A private nats-server is killed with SIGKILL while a subscription has messages handed out and not
 * acked, then started again on the same port and store. The component must reconnect and the
 * subscription resume by themselves, and every message must arrive (at least once).
 */
class JetStreamRestartTest {

  private static final int BEFORE_CRASH = 300;
  private static final int AFTER_RESTART = 100;

  @Test
  void aSubscriptionSurvivesABrokerCrashWithoutLosingAMessage() throws Exception {
    ScheduledExecutorService app = Executors.newScheduledThreadPool(2);
    try (PrivateNatsServer server = new PrivateNatsServer()) {
      server.start();
      String topic = "restart-" + NatsTestSupport.runId();
      JetStreamPubSub pubSub = NatsTestSupport.started(server.url(), Map.of(
          ConsumerSettings.ACK_WAIT, "3s", JetStreamSettings.REQUEST_TIMEOUT, "2s"));
      try {
        for (int i = 0; i < BEFORE_CRASH; i++) {
          pubSub.publish(PublishRequest.of(topic, text("m-" + i)));
        }
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        // A slow app: 10 in flight, each taking 50 ms, so messages are un-acked when the broker dies.
        Subscription subscription = pubSub.subscribe(new SubscribeRequest(topic, "crash-group", 10, Map.of()), m -> {
          deliveries.incrementAndGet();
          CompletableFuture<Void> done = new CompletableFuture<>();
          app.schedule(() -> {
            received.add(new String(m.data(), StandardCharsets.UTF_8));
            done.complete(null);
          }, 50, TimeUnit.MILLISECONDS);
          return done;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 100);

        server.kill();
        int receivedAtCrash = received.size();
        assertThat(receivedAtCrash).isLessThan(BEFORE_CRASH);
        await().atMost(Duration.ofSeconds(10)).until(() -> !pubSub.checkHealth().isUp());
        assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic, text("during-outage"))))
            .isInstanceOfSatisfying(ComponentException.class,
                e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
            .hasMessageContaining(server.url());
        assertThat(pubSub.publishAsync(PublishRequest.of(topic, text("during-outage-async"))))
            .failsWithin(Duration.ofSeconds(30))
            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .havingCause()
            .isInstanceOfSatisfying(ComponentException.class,
                e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
            .withMessageContaining(server.url());
        Thread.sleep(1_000);

        server.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pubSub.checkHealth().isUp());
        for (int i = 0; i < AFTER_RESTART; i++) {
          publishWhenAccepted(pubSub, PublishRequest.of(topic, text("n-" + i)));
        }

        await().atMost(Duration.ofSeconds(90)).until(() -> received.containsAll(expected()));
        subscription.close();
        int lost = (int) expected().stream().filter(p -> !received.contains(p)).count();
        int duplicates = deliveries.get() - received.size();
        System.out.printf("JetStream broker crash: %d messages (%d handled before the crash), %d lost, %d duplicate deliveries%n",
            BEFORE_CRASH + AFTER_RESTART, receivedAtCrash, lost, Math.max(0, duplicates));
        assertThat(lost).isZero();
      } finally {
        pubSub.close();
      }
    } finally {
      app.shutdownNow();
    }
  }

  /** Right after the restart JetStream may still be recovering its store: a client retries, as here. */
  private static void publishWhenAccepted(JetStreamPubSub pubSub, PublishRequest request) {
    await().atMost(Duration.ofSeconds(30)).ignoreException(java.util.concurrent.ExecutionException.class)
        .until(() -> {
          pubSub.publishAsync(request).get(10, java.util.concurrent.TimeUnit.SECONDS);
          return true;
        });
  }

  private static Set<String> expected() {
    Set<String> all = new java.util.HashSet<>();
    for (int i = 0; i < BEFORE_CRASH; i++) {
      all.add("m-" + i);
    }
    for (int i = 0; i < AFTER_RESTART; i++) {
      all.add("n-" + i);
    }
    return all;
  }

  private static byte[] text(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
