package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layotto.e2e.harness.AppServer;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.AppServer.Received;
import io.layotto.e2e.harness.AppServer.Reply;
import io.layotto.e2e.harness.AppServer.Subscription;
import io.layotto.e2e.harness.PubSubs;
import io.layotto.e2e.harness.SharedRedis;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pub/sub through the real sidecar to an app's gRPC callback server, the same for both APIs: a
 * client publishes on one API, the app's AppCallback of the same API lists its subscriptions and
 * receives the events, over the in-memory broker and Redis Streams. Subclasses say which API and
 * how to publish.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SidecarLogsOnFailure.class)
abstract class AppCallbackPubSubContract {

  static final String IN_MEMORY = PubSubs.IN_MEMORY;
  static final String REDIS = PubSubs.REDIS;
  static final ObjectMapper JSON = new ObjectMapper();
  /** Long enough for a wrongly redelivered event to show up (backoff 100 ms, broker redelivery 0.5 s). */
  static final long QUIET_MILLIS = 3000;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  final String orders = "e2e-orders-" + run;
  final String text = "e2e-text-" + run;
  final String raw = "e2e-raw-" + run;
  final String retried = "e2e-retry-" + run;
  final String dropped = "e2e-drop-" + run;
  final String poison = "e2e-poison-" + run;
  final String deadLetters = "e2e-dead-" + run;

  AppServer app;
  SidecarProcess sidecar;

  /** The API the app's callback server speaks (and the publisher uses). */
  abstract Api api();

  abstract String appId();

  /** Opens the publishing client to the sidecar's gRPC port. */
  abstract void connect(int grpcPort);

  abstract void disconnect() throws Exception;

  /** Publishes one event through the API under test and returns once the sidecar accepted it. */
  abstract void publish(String pubsub, String topic, byte[] data, String contentType, Map<String, String> metadata);

  /** The subscription of a topic on both pub/subs, as this API lists it. */
  List<Subscription> subscriptions() {
    List<Subscription> all = new ArrayList<>();
    for (String pubsub : List.of(IN_MEMORY, REDIS)) {
      all.add(Subscription.of(api(), pubsub, orders));
      all.add(Subscription.of(api(), pubsub, text));
      all.add(Subscription.of(api(), pubsub, raw).withMetadata(Map.of("rawPayload", "true")));
      all.add(Subscription.of(api(), pubsub, retried));
      all.add(Subscription.of(api(), pubsub, dropped));
      all.add(Subscription.of(api(), pubsub, poison).withMetadata(Map.of("maxDeliveryAttempts", "2"))
          .withDeadLetterTopic(deadLetters));
      all.add(Subscription.of(api(), pubsub, deadLetters));
    }
    return all;
  }

  @BeforeAll
  void start() {
    app = AppServer.start(subscriptions());
    // readiness includes the app connection with its subscriptions listed and subscribed
    sidecar = SidecarProcess.start(PubSubs.withInMemoryAndRedis(SidecarConfig.defaults()
        .withAppId(appId())
        .withAppCallbackPort(app.port())));
    assertThat(app.listings()).as("the sidecar listed the app's subscriptions").isPositive();
    connect(sidecar.grpcPort());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      disconnect();
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
      if (app != null) {
        app.close();
      }
      SharedRedis.delete(app == null ? List.of() : app.topics());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void aJsonEventArrivesAsACloudEvent(String pubsub) throws Exception {
    Map<String, Object> order = Map.of("id", "o-" + pubsub, "quantity", 3, "items", List.of("apple", "pear"),
        "note", "héllo wörld");
    publish(pubsub, orders, JSON.writeValueAsBytes(order), "application/json", Map.of("ttlInSeconds", "600"));

    Received event = app.awaitFirst(pubsub, orders);
    assertThat(event.api()).isEqualTo(api());
    assertThat(event.id()).isNotBlank();
    assertThat(event.source()).isEqualTo(appId());
    assertThat(event.type()).isEqualTo("com.dapr.event.sent");
    assertThat(event.specVersion()).isEqualTo("1.0");
    assertThat(event.dataContentType()).isEqualTo("application/json");
    assertThat(event.topic()).isEqualTo(orders);
    assertThat(event.pubsubName()).isEqualTo(pubsub);
    assertThat(event.extensions()).containsEntry("topic", orders).containsEntry("pubsubname", pubsub);
    JsonNode data = JSON.readTree(event.data());
    assertThat(data).isEqualTo(JSON.valueToTree(order));
    assertThat(event.text()).contains("héllo wörld");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void aTextEventKeepsItsContentType(String pubsub) {
    publish(pubsub, text, "plain words, ünïcode".getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());

    Received event = app.awaitFirst(pubsub, text);
    assertThat(event.dataContentType()).isEqualTo("text/plain");
    assertThat(event.text()).isEqualTo("plain words, ünïcode");
    assertThat(event.source()).isEqualTo(appId());
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void aRawPayloadPassesBytesUntouched(String pubsub) {
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (255 - i); // not UTF-8, not JSON
    }
    publish(pubsub, raw, bytes, "application/octet-stream", Map.of("rawPayload", "true"));

    Received event = app.awaitFirst(pubsub, raw);
    assertThat(event.data()).isEqualTo(bytes);
    assertThat(event.id()).isNotBlank();
    assertThat(event.topic()).isEqualTo(raw);
    assertThat(event.pubsubName()).isEqualTo(pubsub);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void retryRedeliversTheSameEvent(String pubsub) throws InterruptedException {
    app.replyOn(retried, r -> r.attempt() < 3 ? Reply.RETRY : Reply.SUCCESS);
    publish(pubsub, retried, "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "application/json", Map.of());

    List<Received> attempts = app.awaitReceived(pubsub, retried, 3);
    assertThat(attempts).extracting(Received::id).containsOnly(attempts.getFirst().id());
    assertThat(attempts).extracting(Received::text).containsOnly("{\"n\":1}");

    Thread.sleep(QUIET_MILLIS);
    assertThat(app.receivedOn(pubsub, retried)).as("acked after SUCCESS: no further delivery").hasSize(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void dropIsNotRedelivered(String pubsub) throws InterruptedException {
    app.replyOn(dropped, r -> Reply.DROP);
    publish(pubsub, dropped, "unwanted".getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());

    Received event = app.awaitFirst(pubsub, dropped);
    assertThat(event.text()).isEqualTo("unwanted");

    Thread.sleep(QUIET_MILLIS);
    assertThat(app.receivedOn(pubsub, dropped)).as("DROP acks the event").hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void afterTheLastAttemptTheEventGoesToTheDeadLetterTopic(String pubsub) throws InterruptedException {
    app.replyOn(poison, r -> Reply.RETRY);
    publish(pubsub, poison, "poison pill".getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());

    Received dead = app.awaitFirst(pubsub, deadLetters);
    List<Received> attempts = app.receivedOn(pubsub, poison);
    assertThat(attempts).as("maxDeliveryAttempts=2").hasSize(2);
    assertThat(dead.id()).isEqualTo(attempts.getFirst().id());
    assertThat(dead.text()).isEqualTo("poison pill");

    Thread.sleep(QUIET_MILLIS);
    assertThat(app.receivedOn(pubsub, poison)).as("moved to the dead-letter topic, so acked").hasSize(2);
    assertThat(app.receivedOn(pubsub, deadLetters)).hasSize(1);
  }
}
