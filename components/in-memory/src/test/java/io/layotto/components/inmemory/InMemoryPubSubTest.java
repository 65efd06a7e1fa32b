package io.layotto.components.inmemory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the in-memory pub/sub does beyond the conformance kit: bounds, strict order, validation. */
class InMemoryPubSubTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final InMemoryPubSub pubSub = new InMemoryPubSub();

  @AfterEach
  void close() {
    pubSub.close();
  }

  private void init(Map<String, String> metadata) {
    pubSub.init(new Metadata("pubsub_test", metadata));
  }

  private Subscription subscribe(String topic, String group, int maxInFlight, MessageHandler handler) {
    return pubSub.subscribe(new SubscribeRequest(topic, group, maxInFlight, Map.of()), handler);
  }

  @Test
  void aFullGroupRejectsThePublishForEveryGroupNamingTopicAndGroup() {
    init(Map.of("maxQueuedMessagesPerGroup", "3"));
    subscribe("orders", "away", 1, m -> CompletableFuture.completedFuture(null)).close();
    List<String> present = new CopyOnWriteArrayList<>();
    subscribe("orders", "present", 1, m -> {
      present.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    for (int i = 0; i < 3; i++) {
      pubSub.publish(PublishRequest.of("orders", bytes("m-" + i)));
    }
    assertFails(() -> pubSub.publish(PublishRequest.of("orders", bytes("m-3"))), ComponentException.Kind.RESOURCE_EXHAUSTED,
        "topic 'orders' is full", "group 'away'", "3", "maxQueuedMessagesPerGroup");
    await().atMost(BOUND).until(() -> present.size() == 3);
    assertThat(pubSub.queuedMessages("orders", "away")).isEqualTo(3);
    assertThat(present).as("the rejected message reached no group").containsExactly("m-0", "m-1", "m-2");
  }

  @Test
  void consumingTheBacklogMakesRoomAgain() {
    init(Map.of("maxQueuedMessagesPerGroup", "2"));
    subscribe("orders", "g", 1, m -> CompletableFuture.completedFuture(null)).close();
    pubSub.publish(PublishRequest.of("orders", bytes("a")));
    pubSub.publish(PublishRequest.of("orders", bytes("b")));
    assertFails(() -> pubSub.publish(PublishRequest.of("orders", bytes("c"))), ComponentException.Kind.RESOURCE_EXHAUSTED, "orders");
    subscribe("orders", "g", 4, m -> CompletableFuture.completedFuture(null));
    await().atMost(BOUND).until(() -> pubSub.queuedMessages("orders", "g") == 0);
    pubSub.publish(PublishRequest.of("orders", bytes("c")));
  }

  @Test
  void aBulkPublishOverTheBoundAddsNothingToThatTopic() {
    init(Map.of("maxQueuedMessagesPerGroup", "3"));
    subscribe("orders", "g", 1, m -> CompletableFuture.completedFuture(null)).close();
    List<PublishRequest> five = List.of("1", "2", "3", "4", "5").stream()
        .map(p -> PublishRequest.of("orders", bytes(p))).toList();
    assertFails(() -> pubSub.bulkPublish(five), ComponentException.Kind.RESOURCE_EXHAUSTED, "topic 'orders'");
    assertThat(pubSub.queuedMessages("orders", "g")).isZero();
  }

  @Test
  void withMaxInFlightOneAFailedMessageIsRedeliveredBeforeAnythingNewer() {
    init(Map.of("redeliveryDelay", "20ms"));
    List<String> deliveries = new CopyOnWriteArrayList<>();
    AtomicBoolean failedOnce = new AtomicBoolean();
    subscribe("orders", "g", 1, m -> {
      deliveries.add(text(m) + "#" + m.metadata().get("deliveryCount"));
      return text(m).equals("m-2") && failedOnce.compareAndSet(false, true)
          ? CompletableFuture.failedFuture(new IllegalStateException("fails once"))
          : CompletableFuture.completedFuture(null);
    });
    for (int i = 0; i < 5; i++) {
      pubSub.publish(PublishRequest.of("orders", bytes("m-" + i)));
    }
    await().atMost(BOUND).until(() -> deliveries.size() == 6);
    assertThat(deliveries).containsExactly("m-0#1", "m-1#1", "m-2#1", "m-2#2", "m-3#1", "m-4#1");
  }

  @Test
  void aHandlerThatThrowsGetsTheMessageAgain() {
    init(Map.of("redeliveryDelay", "10ms"));
    List<String> deliveries = new CopyOnWriteArrayList<>();
    subscribe("orders", "g", 2, m -> {
      deliveries.add(text(m));
      if (deliveries.size() == 1) {
        throw new IllegalStateException("handler bug");
      }
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of("orders", bytes("x")));
    await().atMost(BOUND).until(() -> deliveries.size() == 2);
    await().atMost(BOUND).until(() -> pubSub.queuedMessages("orders", "g") == 0);
    assertThat(deliveries).containsExactly("x", "x");
  }

  @Test
  void payloadsAreCopiedOnPublishAndOnDelivery() {
    init(Map.of());
    List<Message> received = new CopyOnWriteArrayList<>();
    MessageHandler scribbling = m -> {
      received.add(m);
      m.data()[0] = 'X';
      return CompletableFuture.completedFuture(null);
    };
    subscribe("orders", "g1", 1, scribbling);
    subscribe("orders", "g2", 1, scribbling);
    byte[] data = bytes("abc");
    pubSub.publish(PublishRequest.of("orders", data));
    data[1] = 'Z';
    await().atMost(BOUND).until(() -> received.size() == 2);
    assertThat(received).allSatisfy(m -> assertThat(new String(m.data(), 1, 2, UTF_8)).isEqualTo("bc"));
  }

  @Test
  void aTopicWithoutGroupsDropsWhatIsPublished() {
    init(Map.of());
    pubSub.publish(PublishRequest.of("nobody", bytes("lost")));
    List<String> received = new CopyOnWriteArrayList<>();
    subscribe("nobody", "late", 1, m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of("nobody", bytes("kept")));
    await().atMost(BOUND).until(() -> received.contains("kept"));
    assertThat(received).containsExactly("kept");
  }

  @Test
  void badRequestsAreInvalidArguments() {
    init(Map.of());
    assertFails(() -> pubSub.publish(PublishRequest.of("", bytes("x"))), ComponentException.Kind.INVALID_ARGUMENT, "topic");
    assertFails(() -> pubSub.bulkPublish(List.of(PublishRequest.of("t", bytes("x")), PublishRequest.of("", bytes("y")))),
        ComponentException.Kind.INVALID_ARGUMENT, "topic");
    assertFails(() -> subscribe("", "g", 1, m -> CompletableFuture.completedFuture(null)),
        ComponentException.Kind.INVALID_ARGUMENT, "topic");
    assertFails(() -> pubSub.publish(new PublishRequest("t", bytes("x"), null, Map.of("ttlInSeconds", "soon"))),
        ComponentException.Kind.INVALID_ARGUMENT, "ttlInSeconds", "soon");
  }

  @Test
  void badMetadataIsRejectedNamingKeyAndValue() {
    assertFails(() -> new InMemoryPubSub().init(new Metadata("ps", Map.of("maxQueuedMessagesPerGroup", "0"))),
        ComponentException.Kind.INVALID_ARGUMENT, "maxQueuedMessagesPerGroup", "0", "'ps'");
    assertFails(() -> new InMemoryPubSub().init(new Metadata("ps", Map.of("maxQueuedMessagesPerGroup", "lots"))),
        ComponentException.Kind.INVALID_ARGUMENT, "maxQueuedMessagesPerGroup", "lots");
    assertFails(() -> new InMemoryPubSub().init(new Metadata("ps", Map.of("redeliveryDelay", "soon"))),
        ComponentException.Kind.INVALID_ARGUMENT, "redeliveryDelay", "soon");
  }

  @Test
  void aClosedComponentIsDownAndRefusesWork() {
    init(Map.of());
    List<String> received = new CopyOnWriteArrayList<>();
    subscribe("orders", "g", 1, m -> {
      received.add(text(m));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.close();
    pubSub.close();
    assertThat(pubSub.checkHealth().isUp()).isFalse();
    assertFails(() -> pubSub.publish(PublishRequest.of("orders", bytes("x"))), ComponentException.Kind.UNAVAILABLE, "closed");
    assertFails(() -> subscribe("orders", "g", 1, m -> CompletableFuture.completedFuture(null)),
        ComponentException.Kind.UNAVAILABLE, "closed");
    assertThat(received).isEmpty();
  }

  private static void assertFails(ThrowingCallable call, ComponentException.Kind kind, String... messageParts) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ComponentException.class, e -> {
      assertThat(e.kind()).as("kind of '%s'", e.getMessage()).isEqualTo(kind);
      assertThat(e.getMessage()).contains(messageParts);
    });
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static String text(Message message) {
    return new String(message.data(), UTF_8);
  }
}
