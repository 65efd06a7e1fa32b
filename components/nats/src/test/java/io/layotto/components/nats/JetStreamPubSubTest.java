package io.layotto.components.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JetStream pub/sub against the shared NATS server, beyond what the conformance kit covers. */
class JetStreamPubSubTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private String run;
  private JetStreamPubSub pubSub;
  private final List<Subscription> subscriptions = new ArrayList<>();

  @BeforeEach
  void setUp() {
    run = NatsTestSupport.runId();
    pubSub = NatsTestSupport.started(Map.of());
  }

  @AfterEach
  void tearDown() throws Exception {
    subscriptions.forEach(Subscription::close);
    pubSub.close();
    NatsTestSupport.deleteStreams(run);
  }

  private String topic(String name) {
    return run + "-" + name;
  }

  private Subscription subscribe(String topic, String group, int maxInFlight, Map<String, String> metadata,
      io.layotto.spi.pubsub.MessageHandler handler) {
    Subscription s = pubSub.subscribe(new SubscribeRequest(topic, group, maxInFlight, metadata), handler);
    subscriptions.add(s);
    return s;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void deliversBytesUntouchedWithBrokerFacts() {
    String topic = topic("plain");
    Queue<Message> received = new ConcurrentLinkedQueue<>();
    subscribe(topic, "g", 10, Map.of(), m -> {
      received.add(m);
      return CompletableFuture.completedFuture(null);
    });
    byte[] payload = {0, 1, 2, (byte) 0xff, 'x'};
    pubSub.publish(PublishRequest.of(topic, payload));

    await().atMost(WAIT).until(() -> received.size() == 1);
    Message m = received.peek();
    assertThat(m.topic()).isEqualTo(topic);
    assertThat(m.data()).containsExactly(payload);
    assertThat(m.metadata()).containsEntry("natsStreamSequence", "1").containsEntry("natsDeliveredCount", "1")
        .containsEntry("natsStream", NatsNames.streamFor(topic));
  }

  @Test
  void aSubscriptionBeforeAnyPublishCreatesTheStreamAndSeesLaterMessages() {
    String topic = topic("early");
    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(topic, "g", 5, Map.of(), m -> {
      received.add(new String(m.data(), StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null);
    });
    for (int i = 0; i < 20; i++) {
      pubSub.publish(PublishRequest.of(topic, bytes("m" + i)));
    }
    await().atMost(WAIT).until(() -> received.size() == 20);
  }

  @Test
  void aFailedStageIsRedeliveredAndASuccessfulOneIsNot() throws Exception {
    String topic = topic("retry");
    AtomicInteger deliveries = new AtomicInteger();
    Queue<String> counts = new ConcurrentLinkedQueue<>();
    subscribe(topic, "g", 1, Map.of(), m -> {
      counts.add(m.metadata().get("natsDeliveredCount"));
      return deliveries.incrementAndGet() == 1
          ? CompletableFuture.failedFuture(new IllegalStateException("app said RETRY"))
          : CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, bytes("once")));

    await().atMost(WAIT).until(() -> deliveries.get() == 2);
    Thread.sleep(1_500);
    assertThat(deliveries.get()).isEqualTo(2);
    assertThat(counts).containsExactly("1", "2");
  }

  @Test
  void aHandlerThrowingIsTreatedAsAFailure() {
    String topic = topic("throws");
    AtomicInteger deliveries = new AtomicInteger();
    subscribe(topic, "g", 1, Map.of(), m -> {
      int n = deliveries.incrementAndGet();
      if (n == 1) {
        throw new IllegalStateException("handler bug");
      }
      if (n == 2) {
        throw new AssertionError("handler bug that is an Error");
      }
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, bytes("x")));
    await().atMost(WAIT).until(deliveries::get, n -> n == 3);
  }

  @Test
  void neverMoreThanMaxInFlightAreOutstanding() {
    String topic = topic("inflight");
    for (int i = 0; i < 30; i++) {
      pubSub.publish(PublishRequest.of(topic, bytes("m" + i)));
    }
    Queue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();
    AtomicInteger outstanding = new AtomicInteger();
    AtomicInteger highest = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    subscribe(topic, "g", 3, Map.of(), m -> {
      highest.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      CompletableFuture<Void> stage = new CompletableFuture<>();
      pending.add(stage);
      return stage.whenComplete((v, e) -> {
        outstanding.decrementAndGet();
        done.incrementAndGet();
      });
    });
    await().atMost(WAIT).until(() -> pending.size() == 3);
    // Held stages stop the pulling: nothing more arrives while all three slots are taken.
    await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).until(() -> pending.size() == 3);
    await().atMost(WAIT).until(() -> {
      CompletableFuture<Void> next = pending.poll();
      if (next != null) {
        next.complete(null);
      }
      return done.get() == 30;
    });
    assertThat(highest.get()).isEqualTo(3);
  }

  @Test
  void oneGroupSharesMessagesAndEveryGroupGetsThemAll() {
    String topic = topic("groups");
    Queue<String> workerA = new ConcurrentLinkedQueue<>();
    Queue<String> workerB = new ConcurrentLinkedQueue<>();
    Queue<String> audit = new ConcurrentLinkedQueue<>();
    subscribe(topic, "workers", 1, Map.of(), slowly(workerA));
    subscribe(topic, "workers", 1, Map.of(), slowly(workerB));
    subscribe(topic, "audit", 10, Map.of(), slowly(audit));
    int n = 40;
    for (int i = 0; i < n; i++) {
      pubSub.publish(PublishRequest.of(topic, bytes("m" + i)));
    }
    await().atMost(WAIT).until(() -> workerA.size() + workerB.size() >= n && audit.size() >= n);
    Set<String> shared = ConcurrentHashMap.newKeySet();
    shared.addAll(workerA);
    shared.addAll(workerB);
    assertThat(shared).hasSize(n);
    assertThat(Set.copyOf(audit)).hasSize(n);
    assertThat(workerA).isNotEmpty();
    assertThat(workerB).isNotEmpty();
  }

  private static io.layotto.spi.pubsub.MessageHandler slowly(Queue<String> into) {
    return m -> CompletableFuture.runAsync(() -> {
      into.add(new String(m.data(), StandardCharsets.UTF_8));
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  @Test
  void closingKeepsTheDurableSoTheReturningGroupGetsWhatItMissedAndWhatWasInFlight() {
    String topic = topic("return");
    Queue<String> first = new ConcurrentLinkedQueue<>();
    Subscription s = subscribe(topic, "g", 5, Map.of(), m -> {
      first.add(new String(m.data(), StandardCharsets.UTF_8));
      return new CompletableFuture<>(); // never completes: still in flight at close
    });
    pubSub.publish(PublishRequest.of(topic, bytes("in-flight")));
    await().atMost(WAIT).until(() -> first.size() == 1);
    s.close();
    pubSub.publish(PublishRequest.of(topic, bytes("missed")));

    Set<String> second = ConcurrentHashMap.newKeySet();
    subscribe(topic, "g", 5, Map.of(), m -> {
      second.add(new String(m.data(), StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null);
    });
    // Well within the 30 s ackWait: the in-flight message was given back at close.
    await().atMost(Duration.ofSeconds(10)).until(() -> second.equals(Set.of("in-flight", "missed")));
  }

  @Test
  void aMessagePublishedRightAfterCloseIsNotCaughtByTheClosedSubscription() {
    String topic = topic("afterclose");
    for (int round = 0; round < 3; round++) {
      Subscription s = subscribe(topic, "g", 10, Map.of(), m -> CompletableFuture.completedFuture(null));
      pubSub.publish(PublishRequest.of(topic, bytes("warm-" + round)));
      s.close();
      pubSub.publish(PublishRequest.of(topic, bytes("late-" + round)));
      Set<String> received = ConcurrentHashMap.newKeySet();
      Subscription back = subscribe(topic, "g", 10, Map.of(), m -> {
        received.add(new String(m.data(), StandardCharsets.UTF_8));
        return CompletableFuture.completedFuture(null);
      });
      // Well within the 30 s ackWait: a pull left open by the closed subscription would hold it that long.
      int r = round;
      await().atMost(Duration.ofSeconds(8)).until(() -> received.contains("late-" + r));
      back.close();
    }
  }

  @Test
  void aSubscriptionRecoversWhenItsStreamIsDeletedAndCreatedAgain() throws Exception {
    String topic = topic("recreated");
    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(topic, "g", 5, Map.of(), m -> {
      received.add(new String(m.data(), StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, bytes("before")));
    await().atMost(WAIT).until(() -> received.contains("before"));
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      connection.jetStreamManagement().deleteStream(NatsNames.streamFor(topic));
    }
    // The publisher re-creates the stream; the subscription must notice its consumer is gone and bind again.
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      pubSub.publish(PublishRequest.of(topic, bytes("after")));
      return received.contains("after");
    });
  }

  @Test
  void publishAsyncOnATopicWhoseStreamWasDeletedCreatesItAgain() throws Exception {
    String topic = topic("recreated-async");
    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(topic, "g", 5, Map.of(), m -> {
      received.add(new String(m.data(), StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publishAsync(PublishRequest.of(topic, bytes("before"))).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> received.contains("before"));
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      connection.jetStreamManagement().deleteStream(NatsNames.streamFor(topic));
    }
    // The cached stream is gone: the failed asynchronous publish looks it up again, creating it.
    pubSub.publishAsync(PublishRequest.of(topic, bytes("after"))).get(30, TimeUnit.SECONDS);
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      assertThat(connection.jetStreamManagement().getStreamInfo(NatsNames.streamFor(topic)).getStreamState()
          .getMsgCount()).isEqualTo(1);
    }
  }

  /**
   * A publish nobody acks (the stream is gone, and a plain subscriber that never replies takes the
   * request, so the server does not answer "no responders") fails with UNAVAILABLE once
   * requestTimeout has passed, not only when the client cleans up its requests.
   */
  @Test
  void anAsynchronousPublishNobodyAcksFailsAfterRequestTimeout() throws Exception {
    JetStreamPubSub shortTimeout = NatsTestSupport.started(Map.of(JetStreamSettings.REQUEST_TIMEOUT, "500ms"));
    String topic = topic("unacked");
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      shortTimeout.publishAsync(PublishRequest.of(topic, bytes("stored"))).get(10, TimeUnit.SECONDS);
      connection.jetStreamManagement().deleteStream(NatsNames.streamFor(topic));
      connection.subscribe(topic); // takes the publish request and never answers
      connection.flush(Duration.ofSeconds(5));

      long start = System.nanoTime();
      CompletableFuture<Void> unacked = shortTimeout.publishAsync(PublishRequest.of(topic, bytes("lost")));
      assertThatThrownBy(() -> unacked.get(10, TimeUnit.SECONDS))
          .cause().isInstanceOfSatisfying(ComponentException.class, e -> {
            assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE);
            assertThat(e.getMessage()).contains(topic).contains("requestTimeout 500 ms");
          });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), Duration.ofSeconds(3));
    } finally {
      shortTimeout.close();
    }
  }

  /**
   * Hunts the race between close() and publishes in flight: whatever path a publish took (a first
   * publish to a topic goes to a virtual thread, the executor close() shuts down), it fails with
   * UNAVAILABLE or succeeds, never with an executor's or the client's own exception.
   */
  @Test
  void publishesRacingCloseSucceedOrFailAsUnavailable() throws Exception {
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      topics.add(topic("race-" + i));
    }
    for (int round = 0; round < 20; round++) {
      JetStreamPubSub racing = NatsTestSupport.started(Map.of());
      Queue<CompletableFuture<Void>> outcomes = new ConcurrentLinkedQueue<>();
      Queue<Throwable> thrown = new ConcurrentLinkedQueue<>();
      List<Thread> publishers = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        publishers.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; ; i++) {
            try {
              outcomes.add(racing.publishAsync(PublishRequest.of(topics.get(i % topics.size()), bytes("m" + i))));
            } catch (RuntimeException e) {
              thrown.add(e);
              return;
            }
          }
        }));
      }
      Thread.sleep(round % 5);
      racing.close();
      for (Thread publisher : publishers) {
        publisher.join(10_000);
      }
      for (CompletableFuture<Void> outcome : outcomes) {
        try {
          outcome.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          thrown.add(e.getCause());
        }
      }
      assertThat(thrown).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(ComponentException.class,
          c -> assertThat(c.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE)));
    }
  }

  @Test
  void aHandlerSlowerThanAckWaitIsNotRedeliveredMeanwhile() throws Exception {
    String topic = topic("slow");
    AtomicInteger deliveries = new AtomicInteger();
    subscribe(topic, "g", 1, Map.of(ConsumerSettings.ACK_WAIT, "1s"), m -> {
      deliveries.incrementAndGet();
      return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(3, java.util.concurrent.TimeUnit.SECONDS));
    });
    subscribe(topic, "g", 1, Map.of(ConsumerSettings.ACK_WAIT, "1s"), m -> {
      deliveries.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, bytes("slow")));
    await().atMost(WAIT).until(() -> deliveries.get() >= 1);
    Thread.sleep(4_000);
    assertThat(deliveries.get()).isEqualTo(1);
  }

  @Test
  void bulkPublishDeliversEveryMessage() {
    String topic = topic("bulk");
    List<PublishRequest> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(PublishRequest.of(topic, bytes("b" + i)));
    }
    pubSub.bulkPublish(batch);
    Set<String> received = ConcurrentHashMap.newKeySet();
    subscribe(topic, "g", 50, Map.of(), m -> {
      received.add(new String(m.data(), StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(WAIT).until(() -> received.size() == 100);
  }

  @Test
  void aConfiguredStreamReceivesEveryNewTopic() throws Exception {
    String stream = "LAYOTTO_" + run + "_shared";
    String one = topic("one");
    String two = topic("two");
    try (JetStreamPubSub shared = NatsTestSupport.started(Map.of(JetStreamSettings.STREAM_NAME, stream))) {
      shared.publish(PublishRequest.of(one, bytes("1")));
      Set<String> received = ConcurrentHashMap.newKeySet();
      Subscription s = shared.subscribe(new SubscribeRequest(two, "g", 5, Map.of()), m -> {
        received.add(new String(m.data(), StandardCharsets.UTF_8));
        return CompletableFuture.completedFuture(null);
      });
      shared.publish(PublishRequest.of(two, bytes("2")));
      await().atMost(WAIT).until(() -> received.equals(Set.of("2")));
      s.close();
    }
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      StreamInfo info = connection.jetStreamManagement().getStreamInfo(stream);
      assertThat(info.getConfiguration().getSubjects()).containsExactlyInAnyOrder(one, two);
      assertThat(info.getStreamState().getMsgCount()).isEqualTo(2);
    }
  }

  @Test
  void aTopicCoveredByAnExistingStreamIsStoredThere() throws Exception {
    String stream = "OPS_" + run;
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      connection.jetStreamManagement().addStream(io.nats.client.api.StreamConfiguration.builder()
          .name(stream).subjects(run + ".orders.>").storageType(io.nats.client.api.StorageType.Memory).build());
      pubSub.publish(PublishRequest.of(run + ".orders.new", bytes("o")));
      assertThat(connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount()).isEqualTo(1);
    }
  }

  @Test
  void aOneMebibytePayloadFitsAndALargerOneIsResourceExhausted() {
    String topic = topic("large");
    byte[] mebibyte = new byte[1 << 20];
    new java.util.Random(7).nextBytes(mebibyte);
    List<byte[]> received = new ArrayList<>();
    subscribe(topic, "g", 1, Map.of(), m -> {
      synchronized (received) {
        received.add(m.data());
      }
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, mebibyte));
    await().atMost(WAIT).until(() -> {
      synchronized (received) {
        return received.size() == 1;
      }
    });
    assertThat(received.getFirst()).isEqualTo(mebibyte);
    assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic, new byte[(1 << 20) + 1])))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.RESOURCE_EXHAUSTED))
        .hasMessageContaining("max_payload");
    assertThatThrownBy(() -> pubSub.publishAsync(PublishRequest.of(topic, new byte[(1 << 20) + 1])))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.RESOURCE_EXHAUSTED))
        .hasMessageContaining("max_payload");
  }

  @Test
  void aTopicThatIsNoSubjectIsInvalid() {
    for (String bad : List.of("a b", "orders.*", "orders.>", ".a", "a..b", "a.")) {
      assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(bad, bytes("x"))))
          .isInstanceOfSatisfying(ComponentException.class,
              e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("'" + bad + "'");
      assertThatThrownBy(() -> pubSub.publishAsync(PublishRequest.of(bad, bytes("x"))))
          .isInstanceOfSatisfying(ComponentException.class,
              e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> pubSub.subscribe(new SubscribeRequest("a b", "g", 1, Map.of()),
        m -> CompletableFuture.completedFuture(null)))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT));
  }

  @Test
  void badSubscriptionMetadataIsInvalidNamingKeyAndValue() {
    assertThatThrownBy(() -> pubSub.subscribe(new SubscribeRequest(topic("meta"), "g", 1,
        Map.of(ConsumerSettings.DELIVER_POLICY, "sometimes")), m -> CompletableFuture.completedFuture(null)))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("deliverPolicy").hasMessageContaining("sometimes");
  }

  @Test
  void anUnreachableServerAtInitIsUnavailableNamingTheUrl() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String url = "nats://127.0.0.1:" + port;
    JetStreamPubSub unreachable = new JetStreamPubSub();
    assertThatThrownBy(() -> unreachable.init(NatsTestSupport.metadata(url, Map.of())))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
        .hasMessageContaining(url);
    unreachable.close();
  }

  @Test
  void aUrlWithoutSchemeAndSeveralServersConnect() {
    try (JetStreamPubSub other = NatsTestSupport.started("127.0.0.1:4222, nats://localhost:4222", Map.of())) {
      assertThat(other.checkHealth().isUp()).isTrue();
    }
  }

  @Test
  void aServerWithoutJetStreamIsUnavailableAtInit() throws Exception {
    try (PrivateNatsServer plain = new PrivateNatsServer(false)) {
      plain.start();
      JetStreamPubSub component = new JetStreamPubSub();
      assertThatThrownBy(() -> component.init(NatsTestSupport.metadata(plain.url(), Map.of())))
          .isInstanceOfSatisfying(ComponentException.class,
              e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
          .hasMessageContaining("JetStream").hasMessageContaining(plain.url());
      component.close();
    }
  }

  @Test
  void aHandlerMayCloseItsOwnSubscription() {
    String topic = topic("selfclose");
    Subscription[] own = new Subscription[1];
    AtomicInteger deliveries = new AtomicInteger();
    CompletableFuture<Duration> closeTook = new CompletableFuture<>();
    own[0] = subscribe(topic, "g", 1, Map.of(), m -> {
      deliveries.incrementAndGet();
      long start = System.nanoTime();
      own[0].close();
      closeTook.complete(Duration.ofNanos(System.nanoTime() - start));
      return CompletableFuture.completedFuture(null);
    });
    pubSub.publish(PublishRequest.of(topic, bytes("bye")));
    await().atMost(WAIT).until(closeTook::isDone);
    // Without the self-check, close() would wait twice its 5 s bound for the thread it runs on.
    assertThat(closeTook.join()).isLessThan(Duration.ofSeconds(4));
    assertThat(deliveries.get()).isEqualTo(1);
  }

  @Test
  void healthIsUpWhileConnectedAndPublishAfterCloseIsUnavailable() {
    assertThat(pubSub.checkHealth().isUp()).isTrue();
    pubSub.close();
    assertThat(pubSub.checkHealth().isUp()).isFalse();
    assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic("closed"), bytes("x"))))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE));
  }
}
