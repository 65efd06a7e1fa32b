package io.layotto.components.mqtt;

import static io.layotto.components.mqtt.MqttTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Focused behaviour against the machine's Mosquitto: sessions across restarts, local redelivery, bad input. */
class MqttPubSubTest {

  private final String run = MqttTestSupport.runId();
  private final List<MqttPubSub> opened = new ArrayList<>();
  private final Set<String> clientIds = ConcurrentHashMap.newKeySet();

  @AfterEach
  void cleanUp() {
    opened.forEach(MqttPubSub::close);
    MqttTestSupport.forgetSessions(MqttTestSupport.SHARED_HOST, MqttTestSupport.SHARED_PORT, clientIds);
  }

  private MqttPubSub started(Version version, Map<String, String> extra) {
    MqttPubSub pubSub = MqttTestSupport.started(version, MqttTestSupport.SHARED_URL, extra);
    opened.add(pubSub);
    return pubSub;
  }

  private Subscription subscribe(MqttPubSub pubSub, String topic, String group, int maxInFlight,
      io.layotto.spi.pubsub.MessageHandler handler) {
    Subscription s = pubSub.subscribe(new SubscribeRequest(topic, group, maxInFlight, Map.of()), handler);
    clientIds.add(((MqttSubscription) s).clientId());
    return s;
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void messagesPublishedWhileTheSidecarWasDownArriveAfterItsRestart(Version version) {
    String topic = "offline-" + run;
    String group = "g-" + run;
    Map<String, String> sameInstance = Map.of(MqttSettings.INSTANCE_ID, "node-" + run);
    MqttPubSub first = started(version, sameInstance);
    subscribe(first, topic, group, 4, m -> CompletableFuture.completedFuture(null));
    first.close();

    MqttPubSub publisher = started(version, Map.of());
    IntStream.range(0, 20).forEach(i -> publisher.publish(PublishRequest.of(topic, text("x-" + i))));

    Set<String> received = ConcurrentHashMap.newKeySet();
    MqttPubSub restarted = started(version, sameInstance);
    subscribe(restarted, topic, group, 4, m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(received).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).mapToObj(i -> "x-" + i).toList()));
  }

  @Test
  void withCleanSessionsWhatWasPublishedMeanwhileIsNotKept() throws Exception {
    String topic = "clean-" + run;
    String group = "g-" + run;
    MqttPubSub pubSub = started(Version.MQTT_5, Map.of(MqttSettings.CLEAN_SESSION, "true"));
    subscribe(pubSub, topic, group, 4, m -> CompletableFuture.completedFuture(null)).close();
    pubSub.publish(PublishRequest.of(topic, text("while-away")));
    List<String> received = new CopyOnWriteArrayList<>();
    subscribe(pubSub, topic, group, 4, m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, text("while-here")));
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("while-here"));
    Thread.sleep(500);
    assertThat(received).containsExactly("while-here");
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void pastBackOffMaxRetriesAFailedMessageWaitsForTheNextConnection(Version version) throws Exception {
    String topic = "parked-" + run;
    String group = "g-" + run;
    MqttPubSub pubSub = started(version, Map.of(MqttSettings.BACK_OFF_MAX_RETRIES, "1"));
    List<String> failing = new CopyOnWriteArrayList<>();
    Subscription first = subscribe(pubSub, topic, group, 4, m -> {
      failing.add(text(m));
      return CompletableFuture.failedFuture(new IllegalStateException("test: app fails"));
    });
    pubSub.publish(PublishRequest.of(topic, text("poison")));
    // the first delivery and one local redelivery, then nothing more on this connection
    await().atMost(Duration.ofSeconds(20)).until(() -> failing.size() == 2);
    Thread.sleep(1_000);
    assertThat(failing).containsExactly("poison", "poison");
    first.close();

    // the broker resends the unacked message when the session resumes
    List<Message> resent = new CopyOnWriteArrayList<>();
    subscribe(pubSub, topic, group, 4, m -> {
      resent.add(m);
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> resent.size() == 1);
    assertThat(text(resent.getFirst())).isEqualTo("poison");
  }

  @Test
  void failedMessagesAreHandedOutAgainWithTheirCount() {
    String topic = "again-" + run;
    MqttPubSub pubSub = started(Version.MQTT_5, Map.of());
    List<Message> seen = new CopyOnWriteArrayList<>();
    subscribe(pubSub, topic, "g-" + run, 2, m -> {
      seen.add(m);
      return seen.size() < 3 ? CompletableFuture.failedFuture(new IllegalStateException("test"))
          : CompletableFuture.completedFuture(null);
    });
    pubSub.publish(new PublishRequest(topic, text("{}"), "application/json", Map.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 3);
    assertThat(seen.get(0).metadata()).doesNotContainKey("redeliveries").containsEntry("contenttype", "application/json");
    assertThat(seen.get(2).metadata()).containsEntry("redeliveries", "2");
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aFailingMessageHoldsBackTheAcksOfTheOnesAfterIt(Version version) {
    // MQTT acks QoS 1 messages in arrival order (the HiveMQ client enforces it): while the first message
    // keeps failing, the later ones are handled but not acked, so the broker resends them on the next
    // connection.
    String topic = "hol-" + run;
    String group = "g-" + run;
    MqttPubSub pubSub = started(version, Map.of());
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Subscription first = subscribe(pubSub, topic, group, 10, m -> {
      if (text(m).equals("head")) {
        return CompletableFuture.failedFuture(new IllegalStateException("test: head keeps failing"));
      }
      handled.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, text("head")));
    IntStream.range(0, 5).forEach(i -> pubSub.publish(PublishRequest.of(topic, text("later-" + i))));
    await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 5);
    first.close();

    List<String> resent = new CopyOnWriteArrayList<>();
    subscribe(pubSub, topic, group, 10, m -> {
      resent.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(resent).containsAll(List.of("head", "later-0", "later-4")));
  }

  @Test
  void aGroupMemberThatIsAwayKeepsItsShareOnMosquitto() throws Exception {
    // Mosquitto quirk: a shared subscription keeps offering messages round-robin to members whose
    // persistent session is disconnected; they are queued for that member, not given to the others.
    String topic = "share-" + run;
    String group = "g-" + run;
    MqttPubSub pubSub = started(Version.MQTT_5, Map.of());
    Set<String> present = ConcurrentHashMap.newKeySet();
    subscribe(pubSub, topic, group, 10, m -> {
      present.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    subscribe(pubSub, topic, group, 10, m -> CompletableFuture.completedFuture(null)).close();
    IntStream.range(0, 20).forEach(i -> pubSub.publish(PublishRequest.of(topic, text("s-" + i))));
    Thread.sleep(2_000);
    Set<String> returned = ConcurrentHashMap.newKeySet();
    subscribe(pubSub, topic, group, 10, m -> {
      returned.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    List<String> all = IntStream.range(0, 20).mapToObj(i -> "s-" + i).toList();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Set<String> union = new HashSet<>(present);
      union.addAll(returned);
      assertThat(union).containsExactlyInAnyOrderElementsOf(all);
    });
    System.out.printf("shared subscription with one member away: present member got %d of 20, the returning one %d%n",
        present.size(), returned.size());
    assertThat(returned).as("messages queued for the member while it was away").isNotEmpty();
  }

  @Test
  void badTopicsAreInvalidArguments() {
    MqttPubSub pubSub = started(Version.MQTT_5, Map.of());
    assertKind(() -> pubSub.publish(PublishRequest.of("", text("x"))), Kind.INVALID_ARGUMENT, "must not be empty");
    assertKind(() -> pubSub.publish(PublishRequest.of("a/+/b", text("x"))), Kind.INVALID_ARGUMENT, "'a/+/b'");
    assertKind(() -> pubSub.publish(PublishRequest.of("$SYS/x", text("x"))), Kind.INVALID_ARGUMENT, "'$'");
    assertKind(() -> pubSub.publish(new PublishRequest("t-" + run, text("x"), null, Map.of("ttlInSeconds", "soon"))),
        Kind.INVALID_ARGUMENT, "'ttlInSeconds'", "'soon'");
    assertKind(() -> pubSub.subscribe(new SubscribeRequest("a/#/b", "g", 1, Map.of()), m -> null),
        Kind.INVALID_ARGUMENT, "'a/#/b'");
    assertKind(() -> pubSub.subscribe(new SubscribeRequest("$share/g/t", "g", 1, Map.of()), m -> null),
        Kind.INVALID_ARGUMENT, "$share");
    assertKind(() -> pubSub.subscribe(new SubscribeRequest("t", "a/b", 1, Map.of()), m -> null),
        Kind.INVALID_ARGUMENT, "'a/b'", "consumerID");
    assertThat(pubSub.checkHealth().isUp()).isTrue();
  }

  @Test
  void anUnreachableBrokerFailsStartUpAsUnavailable() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    MqttPubSub pubSub = new MqttPubSub(Version.MQTT_5);
    assertKind(() -> pubSub.init(new io.layotto.spi.Metadata("mq", Map.of(MqttSettings.URL,
        "tcp://127.0.0.1:" + port, MqttSettings.CONNECT_TIMEOUT, "2s"))), Kind.UNAVAILABLE, "127.0.0.1:" + port);
    pubSub.close();
  }

  private static void assertKind(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Kind kind,
      String... fragments) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContainingAll(fragments);
  }
}
