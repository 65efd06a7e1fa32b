package io.layotto.components.rabbitmq;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The RabbitMQ pub/sub against the shared broker at 127.0.0.1:5672: topology, acks, failures. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqPubSubTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final String prefix = RabbitMqTestSupport.runPrefix();
  private final AtomicInteger sequence = new AtomicInteger();
  private RabbitMqTestSupport broker;
  private PubSub pubSub;

  @BeforeAll
  void connect() {
    broker = new RabbitMqTestSupport();
    pubSub = RabbitMqTestSupport.openShared(Map.of());
  }

  @AfterAll
  void cleanUp() {
    pubSub.close();
    broker.close();
  }

  private String topic() {
    String topic = prefix + "topic-" + sequence.incrementAndGet();
    broker.track(topic);
    return topic;
  }

  private String group(String topic, String name) {
    String group = prefix + name;
    broker.track(topic, group);
    return group;
  }

  private static SubscribeRequest request(String topic, String group, int maxInFlight, Map<String, String> metadata) {
    return new SubscribeRequest(topic, group, maxInFlight, metadata);
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(m -> new String(m.data(), UTF_8)).toList();
  }

  /** Acks everything and keeps it. */
  private static MessageHandler collectInto(List<Message> received) {
    return m -> {
      received.add(m);
      return CompletableFuture.completedFuture(null);
    };
  }

  @Test
  void deliversThePublishedBytesUntouchedWithTheirProperties() {
    String topic = topic();
    List<Message> received = new CopyOnWriteArrayList<>();
    byte[] payload = new byte[256];
    new Random(7).nextBytes(payload);
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "app"), 4, Map.of()),
        collectInto(received))) {
      pubSub.publish(new PublishRequest(topic, payload, "application/octet-stream",
          Map.of("messageID", "m-1", "correlationID", "c-1")));
      await().atMost(WAIT).until(() -> received.size() == 1);
    }
    Message m = received.getFirst();
    assertThat(m.topic()).isEqualTo(topic);
    assertThat(m.data()).isEqualTo(payload);
    assertThat(m.metadata()).containsEntry("contenttype", "application/octet-stream")
        .containsEntry("messageid", "m-1").containsEntry("correlationid", "c-1")
        .containsEntry("redelivered", "false");
  }

  @Test
  void namesExchangeAndQueueAsDaprDoes() {
    String topic = topic();
    String group = group(topic, "orders-app");
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, Map.of()), m -> CompletableFuture.completedFuture(null))) {
      assertThat(broker.exchangeExists(topic)).isTrue();
      assertThat(broker.exchangeHasType(topic, "fanout")).isTrue();
      assertThat(broker.exchangeHasType(topic, "topic")).isFalse();
      assertThat(broker.queueExists(group + "-" + topic)).isTrue();
    }
    // Closing the subscription keeps the durable queue: messages published meanwhile wait there.
    pubSub.publish(PublishRequest.of(topic, "while away".getBytes(UTF_8)));
    assertThat(broker.messageCount(group + "-" + topic)).isEqualTo(1);
  }

  @Test
  void queueNameFromSubscriptionMetadataWins() {
    String topic = topic();
    String queue = prefix + "custom-queue";
    broker.trackQueue(queue);
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, prefix + "g", 1, Map.of("queueName", queue)),
        collectInto(received))) {
      assertThat(broker.queueExists(queue)).isTrue();
      pubSub.publish(PublishRequest.of(topic, "x".getBytes(UTF_8)));
      await().atMost(WAIT).until(() -> received.size() == 1);
    }
  }

  @Test
  void everyGroupGetsEveryMessageAndAGroupSharesThem() {
    String topic = topic();
    String a = group(topic, "a");
    String b = group(topic, "b");
    List<Message> a1 = new CopyOnWriteArrayList<>();
    List<Message> a2 = new CopyOnWriteArrayList<>();
    List<Message> b1 = new CopyOnWriteArrayList<>();
    try (Subscription s1 = pubSub.subscribe(request(topic, a, 1, Map.of()), collectInto(a1));
        Subscription s2 = pubSub.subscribe(request(topic, a, 1, Map.of()), collectInto(a2));
        Subscription s3 = pubSub.subscribe(request(topic, b, 8, Map.of()), collectInto(b1))) {
      for (int i = 0; i < 40; i++) {
        pubSub.publish(PublishRequest.of(topic, ("m" + i).getBytes(UTF_8)));
      }
      await().atMost(WAIT).until(() -> a1.size() + a2.size() == 40 && b1.size() == 40);
    }
    assertThat(a1).isNotEmpty();
    assertThat(a2).isNotEmpty();
    List<String> groupA = new ArrayList<>(texts(a1));
    groupA.addAll(texts(a2));
    assertThat(groupA).doesNotHaveDuplicates().hasSize(40);
    assertThat(texts(b1)).doesNotHaveDuplicates().hasSize(40);
  }

  @Test
  void aFailedStageIsDeliveredAgainAndAckedOnSuccess() {
    String topic = topic();
    String group = group(topic, "retry");
    List<Message> attempts = new CopyOnWriteArrayList<>();
    MessageHandler failOnce = m -> {
      attempts.add(m);
      return attempts.size() == 1
          ? CompletableFuture.failedFuture(new IllegalStateException("app said RETRY"))
          : CompletableFuture.completedFuture(null);
    };
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, Map.of()), failOnce)) {
      pubSub.publish(PublishRequest.of(topic, "again".getBytes(UTF_8)));
      await().atMost(WAIT).until(() -> attempts.size() == 2);
      await().atMost(WAIT).until(() -> broker.messageCount(group + "-" + topic) == 0);
    }
    assertThat(texts(attempts)).containsExactly("again", "again");
    assertThat(attempts.get(1).metadata()).containsEntry("redelivered", "true");
    assertThat(broker.messageCount(group + "-" + topic)).isZero();
  }

  @Test
  void aHandlerThatThrowsCountsAsAFailure() {
    String topic = topic();
    AtomicInteger calls = new AtomicInteger();
    MessageHandler throwsFirst = m -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("boom");
      }
      return CompletableFuture.completedFuture(null);
    };
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "throws"), 1, Map.of()), throwsFirst)) {
      pubSub.publish(PublishRequest.of(topic, "t".getBytes(UTF_8)));
      await().atMost(WAIT).until(() -> calls.get() == 2);
    }
  }

  @Test
  void neverHandsOutMoreThanMaxInFlight() throws Exception {
    String topic = topic();
    List<CompletableFuture<Void>> held = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    MessageHandler hold = m -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      held.add(f);
      return f.whenComplete((v, e) -> done.incrementAndGet());
    };
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "slow"), 3, Map.of()), hold)) {
      for (int i = 0; i < 10; i++) {
        pubSub.publish(PublishRequest.of(topic, ("m" + i).getBytes(UTF_8)));
      }
      await().atMost(WAIT).until(() -> held.size() == 3);
      Thread.sleep(500);
      assertThat(held).hasSize(3);
      held.forEach(f -> f.complete(null));
      await().atMost(WAIT).until(() -> held.size() == 6);
      Thread.sleep(300);
      assertThat(held).hasSize(6);
      while (done.get() < 10) {
        held.forEach(f -> f.complete(null));
        Thread.sleep(20);
      }
    }
    assertThat(held).hasSize(10);
  }

  @Test
  void aMessageNackedByAConsumerThatThenClosesGoesToTheGroupsNextConsumer() {
    String topic = topic();
    String group = group(topic, "handover");
    List<Message> first = new CopyOnWriteArrayList<>();
    Subscription leaving = pubSub.subscribe(request(topic, group, 1, Map.of()), m -> {
      first.add(m);
      return CompletableFuture.failedFuture(new IllegalStateException("cannot handle it here"));
    });
    pubSub.publish(PublishRequest.of(topic, "hand me over".getBytes(UTF_8)));
    await().atMost(WAIT).until(() -> !first.isEmpty());
    leaving.close();

    List<Message> next = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, Map.of()), collectInto(next))) {
      await().atMost(WAIT).until(() -> !next.isEmpty());
      await().atMost(WAIT).until(() -> broker.messageCount(group + "-" + topic) == 0);
    }
    assertThat(texts(next)).containsExactly("hand me over");
  }

  @Test
  void aMessageLeftUncompletedByAClosedConsumerGoesToTheNextOne() {
    String topic = topic();
    String group = group(topic, "abandon");
    List<Message> first = new CopyOnWriteArrayList<>();
    Subscription leaving = pubSub.subscribe(request(topic, group, 1, Map.of()), m -> {
      first.add(m);
      return new CompletableFuture<>();
    });
    pubSub.publish(PublishRequest.of(topic, "unfinished".getBytes(UTF_8)));
    await().atMost(WAIT).until(() -> !first.isEmpty());
    leaving.close();

    List<Message> next = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, Map.of()), collectInto(next))) {
      await().atMost(WAIT).until(() -> !next.isEmpty());
    }
    assertThat(texts(next)).containsExactly("unfinished");
    assertThat(next.getFirst().metadata()).containsEntry("redelivered", "true");
  }

  @Test
  void expiredMessagesAreNotDelivered() throws Exception {
    String topic = topic();
    String group = group(topic, "ttl");
    pubSub.subscribe(request(topic, group, 1, Map.of()), m -> CompletableFuture.completedFuture(null)).close();
    pubSub.publish(new PublishRequest(topic, "short-lived".getBytes(UTF_8), null, Map.of("ttlInSeconds", "1")));
    pubSub.publish(PublishRequest.of(topic, "kept".getBytes(UTF_8)));
    Thread.sleep(2_500);
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 4, Map.of()), collectInto(received))) {
      await().atMost(WAIT).until(() -> received.size() == 1);
      Thread.sleep(300);
    }
    assertThat(texts(received)).containsExactly("kept");
  }

  @Test
  void aBadTtlIsRejectedNamingTheKey() {
    String topic = topic();
    assertThatThrownBy(() -> pubSub.publish(new PublishRequest(topic, new byte[1], null, Map.of("ttlInSeconds", "soon"))))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("ttlInSeconds").hasMessageContaining("soon");
  }

  @Test
  void failedMessagesGoToTheDeadLetterQueueWhenAsked() {
    String topic = topic();
    String group = group(topic, "dlq");
    String queue = group + "-" + topic;
    Map<String, String> metadata = Map.of("enableDeadLetter", "true", "requeueInFailure", "false");
    AtomicInteger calls = new AtomicInteger();
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, metadata), m -> {
      calls.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("poison"));
    })) {
      assertThat(broker.exchangeExists(QueueLayout.deadLetterExchange(queue))).isTrue();
      pubSub.publish(PublishRequest.of(topic, "poison".getBytes(UTF_8)));
      await().atMost(WAIT).until(() -> broker.messageCount(QueueLayout.deadLetterQueue(queue)) == 1);
    }
    assertThat(calls.get()).isEqualTo(1);
    assertThat(broker.take(QueueLayout.deadLetterQueue(queue))).asString(UTF_8).isEqualTo("poison");
  }

  @Test
  void expiredMessagesAreDeadLetteredWhenTheQueueHasADeadLetterExchange() throws Exception {
    String topic = topic();
    String group = group(topic, "dlq-ttl");
    String queue = group + "-" + topic;
    pubSub.subscribe(request(topic, group, 1, Map.of("enableDeadLetter", "true")),
        m -> CompletableFuture.completedFuture(null)).close();
    pubSub.publish(new PublishRequest(topic, "expired".getBytes(UTF_8), null, Map.of("ttlInSeconds", "1")));
    // Classic queues drop expired messages when they reach the head; a passive declare does not,
    // so wait for the expiry timer.
    await().atMost(WAIT).until(() -> broker.messageCount(QueueLayout.deadLetterQueue(queue)) == 1);
    assertThat(broker.take(QueueLayout.deadLetterQueue(queue))).asString(UTF_8).isEqualTo("expired");
  }

  @Test
  void requeueInFailureFalseWithoutADeadLetterQueueIsRefused() {
    String topic = topic();
    assertThatThrownBy(() -> pubSub.subscribe(request(topic, prefix + "x", 1, Map.of("requeueInFailure", "false")),
        m -> CompletableFuture.completedFuture(null)))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("requeueInFailure").hasMessageContaining("enableDeadLetter");
  }

  @Test
  void topicExchangeRoutesByRoutingKey() {
    String topic = topic();
    List<Message> onlyA = new CopyOnWriteArrayList<>();
    try (PubSub topicKind = RabbitMqTestSupport.openShared(Map.of("exchangeKind", "topic"));
        Subscription ignored = topicKind.subscribe(
            request(topic, group(topic, "keyed"), 4, Map.of("routingKey", "orders.a,audit.#")), collectInto(onlyA))) {
      topicKind.publish(new PublishRequest(topic, "a".getBytes(UTF_8), null, Map.of("routingKey", "orders.a")));
      topicKind.publish(new PublishRequest(topic, "b".getBytes(UTF_8), null, Map.of("routingKey", "orders.b")));
      topicKind.publish(new PublishRequest(topic, "audit".getBytes(UTF_8), null, Map.of("routingKey", "audit.x.y")));
      await().atMost(WAIT).until(() -> onlyA.size() == 2);
      assertThat(texts(onlyA)).containsExactlyInAnyOrder("a", "audit");
      assertThat(onlyA).allSatisfy(m -> assertThat(m.metadata()).containsKey("routingkey"));
    }
  }

  @Test
  void publishingToAnExchangeOfAnotherKindIsRefusedNamingIt() {
    String topic = topic();
    pubSub.publish(PublishRequest.of(topic, new byte[1]));
    try (PubSub topicKind = RabbitMqTestSupport.openShared(Map.of("exchangeKind", "topic"))) {
      assertThatThrownBy(() -> topicKind.publish(PublishRequest.of(topic, new byte[1])))
          .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
          .hasMessageContaining(topic).hasMessageContaining("127.0.0.1:5672");
      // The refusal closed only a declaration channel: publishing elsewhere still works.
      topicKind.publish(PublishRequest.of(topic() , new byte[1]));
    }
  }

  @Test
  void carriesOneMebibytePayloads() {
    String topic = topic();
    byte[] big = new byte[1 << 20];
    new Random(11).nextBytes(big);
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "big"), 2, Map.of()),
        collectInto(received))) {
      pubSub.publish(PublishRequest.of(topic, big));
      await().atMost(WAIT).until(() -> received.size() == 1);
    }
    assertThat(Arrays.equals(received.getFirst().data(), big)).isTrue();
  }

  @Test
  void concurrentPublishersAreEachConfirmed() throws Exception {
    String topic = topic();
    Set<String> received = ConcurrentHashMap.newKeySet();
    int threads = 16;
    int each = 50;
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "many"), 64, Map.of()), m -> {
      received.add(new String(m.data(), UTF_8));
      return CompletableFuture.completedFuture(null);
    })) {
      try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            for (int i = 0; i < each; i++) {
              pubSub.publish(PublishRequest.of(topic, (thread + ":" + i).getBytes(UTF_8)));
            }
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      }
      await().atMost(WAIT).until(() -> received.size() == threads * each);
    }
  }

  @Test
  void bulkPublishDeliversEveryMessage() {
    String topic = topic();
    List<Message> received = new CopyOnWriteArrayList<>();
    try (Subscription ignored = pubSub.subscribe(request(topic, group(topic, "bulk"), 16, Map.of()),
        collectInto(received))) {
      pubSub.bulkPublish(IntStream.range(0, 100)
          .mapToObj(i -> PublishRequest.of(topic, ("b" + i).getBytes(UTF_8))).toList());
      await().atMost(WAIT).until(() -> received.size() == 100);
    }
    assertThat(texts(received)).doesNotHaveDuplicates();
  }

  @Test
  void aSubscriptionWhoseQueueWasDeletedDeclaresItAgainAndResumes() {
    String topic = topic();
    String group = group(topic, "phoenix");
    Set<String> received = ConcurrentHashMap.newKeySet();
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 4, Map.of()), m -> {
      received.add(new String(m.data(), UTF_8));
      return CompletableFuture.completedFuture(null);
    })) {
      broker.deleteQueue(group + "-" + topic);
      // Messages published before the queue is back have nowhere to go: keep publishing until one arrives.
      AtomicInteger n = new AtomicInteger();
      await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
        pubSub.publish(PublishRequest.of(topic, ("after-" + n.incrementAndGet()).getBytes(UTF_8)));
        return !received.isEmpty();
      });
    }
    assertThat(broker.queueExists(group + "-" + topic)).isTrue();
  }

  @Test
  void publishingToATopicWhoseExchangeWasDeletedDeclaresItAgain() {
    String topic = topic();
    pubSub.publish(PublishRequest.of(topic, new byte[1]));
    broker.deleteExchange(topic);
    // The first publish meets the missing exchange (the broker closes the publishing channel) and
    // retries once after declaring it again; later publishes use a fresh channel.
    pubSub.publish(PublishRequest.of(topic, new byte[1]));
    assertThat(broker.exchangeExists(topic)).isTrue();
    pubSub.publish(PublishRequest.of(topic, new byte[1]));
  }

  @Test
  void aQueueDeclaredElsewhereWithOtherArgumentsIsReportedNamingIt() {
    String topic = topic();
    String group = group(topic, "mismatch");
    String queue = group + "-" + topic;
    broker.declareQueue(queue, Map.of("x-max-length", 5L));
    assertThatThrownBy(() -> pubSub.subscribe(request(topic, group, 1, Map.of()),
        m -> CompletableFuture.completedFuture(null)))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining(queue).hasMessageContaining("x-max-length");
    // The same arguments are accepted: this is how a Dapr sidecar and this one share the queue.
    try (Subscription ignored = pubSub.subscribe(request(topic, group, 1, Map.of("maxLen", "5")),
        m -> CompletableFuture.completedFuture(null))) {
      assertThat(broker.queueExists(queue)).isTrue();
    }
  }

  @Test
  void anUnreachableBrokerAtInitIsUnavailableNamingTheHostButNotThePassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String uri = "amqp://guest:s3cretPw@127.0.0.1:" + port;
    assertThatThrownBy(() -> RabbitMqTestSupport.open(uri, Map.of()))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessageContaining("127.0.0.1:" + port)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cretPw"));
  }

  @Test
  void wrongCredentialsAreUnavailableWithoutThePassword() {
    assertThatThrownBy(() -> RabbitMqTestSupport.open("amqp://guest:wrongPw@127.0.0.1:5672", Map.of()))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
        .hasMessageContaining("127.0.0.1:5672").hasMessageContaining("credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrongPw"));
  }

  @Test
  void healthIsUpWhileConnectedAndPublishingAfterCloseFails() {
    PubSub other = RabbitMqTestSupport.openShared(Map.of());
    assertThat(other.checkHealth().isUp()).isTrue();
    other.close();
    other.close();
    assertThatThrownBy(() -> other.publish(PublishRequest.of(topic(), new byte[1])))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
  }
}
