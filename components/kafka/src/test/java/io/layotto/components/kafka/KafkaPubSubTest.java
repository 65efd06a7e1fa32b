package io.layotto.components.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Kafka-specific behaviour against the embedded broker: commits after acks, partition keys, limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaPubSubTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String run = KafkaTestSupport.runId();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private KafkaPubSub pubSub;
  private Admin admin;

  @BeforeAll
  void start() {
    pubSub = KafkaTestSupport.started(Map.of());
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.sharedKafka().bootstrapServers());
    admin = Admin.create(p);
  }

  @AfterEach
  void closeSubscriptions() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }

  @AfterAll
  void stop() {
    pubSub.close();
    admin.close();
  }

  private Subscription subscribe(String topic, String group, int maxInFlight, MessageHandler handler) {
    Subscription subscription = pubSub.subscribe(new SubscribeRequest(topic, group, maxInFlight, Map.of()), handler);
    subscriptions.add(subscription);
    return subscription;
  }

  private static String text(Message message) {
    return new String(message.data(), UTF_8);
  }

  private void publish(String topic, String payload, String partitionKey) {
    pubSub.publish(new PublishRequest(topic, payload.getBytes(UTF_8), null,
        partitionKey == null ? Map.of() : Map.of(KafkaPubSub.PARTITION_KEY, partitionKey)));
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aMessageNotAckedBeforeTheSubscriptionDiesGoesToTheNextSubscriberOfTheGroup() {
    String topic = run + "-commit";
    String group = run + "-g-commit";
    List<Message> first = new CopyOnWriteArrayList<>();
    // takes the message and never answers: the app died with it
    Subscription dying = subscribe(topic, group, 4, m -> {
      first.add(m);
      return new CompletableFuture<>();
    });
    publish(topic, "unanswered", null);
    await().atMost(TIMEOUT).until(() -> first.size() == 1);
    dying.close();

    List<Message> second = new CopyOnWriteArrayList<>();
    subscribe(topic, group, 4, m -> {
      second.add(m);
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(second).extracting(KafkaPubSubTest::text)
        .containsExactly("unanswered"));
    assertThat(second.getFirst().metadata()).containsEntry("kafkaOffset", first.getFirst().metadata().get("kafkaOffset"))
        .containsEntry("kafkaPartition", first.getFirst().metadata().get("kafkaPartition"));
    closeSubscriptions();

    // acked by the second subscriber: a third one of the group does not get it again
    List<Message> third = new CopyOnWriteArrayList<>();
    subscribe(topic, group, 4, m -> {
      third.add(m);
      return CompletableFuture.completedFuture(null);
    });
    publish(topic, "after", null);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(third).extracting(KafkaPubSubTest::text).contains("after"));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(third).extracting(KafkaPubSubTest::text).containsExactly("after"));
  }

  @Test
  void theCommittedOffsetNeverPassesAnUnackedMessage() throws Exception {
    String topic = run + "-prefix";
    String group = run + "-g-prefix";
    List<Message> seen = new CopyOnWriteArrayList<>();
    // every message of one key lands on one partition; only "p-2" stays unanswered
    Subscription subscription = subscribe(topic, group, 10, m -> {
      seen.add(m);
      return text(m).equals("p-2") ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
    });
    IntStream.range(0, 6).forEach(i -> publish(topic, "p-" + i, "one-key"));
    await().atMost(TIMEOUT).until(() -> seen.size() == 6);
    assertThat(seen).extracting(KafkaPubSubTest::text).containsExactly("p-0", "p-1", "p-2", "p-3", "p-4", "p-5");
    int partition = Integer.parseInt(seen.getFirst().metadata().get("kafkaPartition"));
    long offsetOfP2 = Long.parseLong(seen.get(2).metadata().get("kafkaOffset"));
    TopicPartition tp = new TopicPartition(topic, partition);

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed(group).get(tp).offset()).isEqualTo(offsetOfP2));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(committed(group).get(tp).offset()).isEqualTo(offsetOfP2));
    subscription.close();
    assertThat(committed(group).get(tp).offset()).as("after close").isEqualTo(offsetOfP2);

    List<Message> next = new CopyOnWriteArrayList<>();
    subscribe(topic, group, 10, m -> {
      next.add(m);
      return CompletableFuture.completedFuture(null);
    });
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(next).extracting(KafkaPubSubTest::text)
        .containsExactly("p-2", "p-3", "p-4", "p-5"));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed(group).get(tp).offset()).isEqualTo(offsetOfP2 + 4));
  }

  @Test
  void aFailedMessageIsHandedOutAgainAndHoldsTheCommitBackUntilAcked() throws Exception {
    String topic = run + "-retry";
    String group = run + "-g-retry";
    List<Message> seen = new CopyOnWriteArrayList<>();
    subscribe(topic, group, 4, m -> {
      seen.add(m);
      return seen.stream().filter(s -> text(s).equals("flaky")).count() < 3
          ? CompletableFuture.failedFuture(new IllegalStateException("app failed"))
          : CompletableFuture.completedFuture(null);
    });
    publish(topic, "flaky", "k");
    await().atMost(TIMEOUT).until(() -> seen.size() == 3);
    assertThat(seen).extracting(m -> m.metadata().get("kafkaDeliveryAttempt")).containsExactly("1", "2", "3");
    long offset = Long.parseLong(seen.getFirst().metadata().get("kafkaOffset"));
    TopicPartition tp = new TopicPartition(topic, Integer.parseInt(seen.getFirst().metadata().get("kafkaPartition")));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed(group).get(tp).offset()).isEqualTo(offset + 1));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 3);
  }

  @Test
  void messagesWithOnePartitionKeyKeepTheirOrder() {
    String topic = run + "-keyed";
    List<Message> seen = new CopyOnWriteArrayList<>();
    subscribe(topic, run + "-g-keyed", 1, m -> {
      seen.add(m);
      return CompletableFuture.completedFuture(null);
    });
    List<String> payloads = IntStream.range(0, 40).mapToObj(i -> "k-" + i).toList();
    List<PublishRequest> requests = new ArrayList<>();
    payloads.forEach(p -> requests.add(new PublishRequest(topic, p.getBytes(UTF_8), null,
        Map.of(KafkaPubSub.PARTITION_KEY, "customer-7"))));
    pubSub.bulkPublish(requests.subList(0, 20));
    requests.subList(20, 40).forEach(pubSub::publish);
    await().atMost(TIMEOUT).until(() -> seen.size() >= 40);
    assertThat(seen).extracting(KafkaPubSubTest::text).containsExactlyElementsOf(payloads);
    assertThat(seen).extracting(m -> m.metadata().get("kafkaPartition")).containsOnly(seen.getFirst().metadata()
        .get("kafkaPartition"));
    assertThat(seen).extracting(m -> m.metadata().get("kafkaKey")).containsOnly("customer-7");
  }

  @Test
  void rebalancesWhileMessagesFlowLoseNothing() throws Exception {
    String topic = run + "-rebalance";
    String group = run + "-g-rebalance";
    Set<String> received = ConcurrentHashMap.newKeySet();
    AtomicInteger deliveries = new AtomicInteger();
    ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor();
    MessageHandler slow = m -> {
      deliveries.incrementAndGet();
      received.add(text(m));
      CompletableFuture<Void> done = new CompletableFuture<>();
      acks.schedule(() -> done.complete(null), 15, TimeUnit.MILLISECONDS);
      return done;
    };
    try {
      subscribe(topic, group, 4, slow);
      List<String> payloads = IntStream.range(0, 90).mapToObj(i -> "rb-" + i).toList();
      Thread publisher = Thread.ofPlatform().start(() -> payloads.forEach(p -> {
        publish(topic, p, null);
        sleep(10);
      }));
      await().atMost(TIMEOUT).until(() -> received.size() >= 15);
      // joins while messages are in flight: every partition is revoked and most come back (eager sticky)
      Subscription joining = subscribe(topic, group, 4, slow);
      await().atMost(TIMEOUT).until(() -> received.size() >= 45);
      joining.close(); // its partitions go back to the first subscription
      publisher.join(TIMEOUT.toMillis());
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(received).containsAll(payloads));
      System.out.printf("kafka rebalance: %d messages, 0 lost, %d duplicate deliveries%n", payloads.size(),
          deliveries.get() - received.size());
    } finally {
      acks.shutdownNow();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void unkeyedMessagesAreSpreadOverEveryPartition() {
    String topic = run + "-spread";
    List<Message> seen = new CopyOnWriteArrayList<>();
    subscribe(topic, run + "-g-spread", 8, m -> {
      seen.add(m);
      return CompletableFuture.completedFuture(null);
    });
    IntStream.range(0, 9).forEach(i -> publish(topic, "u-" + i, null));
    await().atMost(TIMEOUT).until(() -> seen.size() >= 9);
    assertThat(seen).extracting(m -> m.metadata().get("kafkaPartition")).containsOnly("0", "1", "2")
        .filteredOn("0"::equals).hasSize(3);
  }

  @Test
  void aGroupFromComponentMetadataJoinsEverySubscription() {
    String topic = run + "-fixed-group";
    try (KafkaPubSub fixed = KafkaTestSupport.started(Map.of(KafkaSettings.CONSUMER_GROUP, run + "-g-fixed"))) {
      List<Message> first = new CopyOnWriteArrayList<>();
      List<Message> second = new CopyOnWriteArrayList<>();
      fixed.subscribe(new SubscribeRequest(topic, "app-a", 4, Map.of()), m -> {
        first.add(m);
        return CompletableFuture.completedFuture(null);
      });
      fixed.subscribe(new SubscribeRequest(topic, "app-b", 4, Map.of()), m -> {
        second.add(m);
        return CompletableFuture.completedFuture(null);
      });
      IntStream.range(0, 30).forEach(i -> publish(topic, "s-" + i, null));
      await().atMost(TIMEOUT).until(() -> first.size() + second.size() >= 30);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> first.size() + second.size() == 30);
      assertThat(admin.listConsumerGroupOffsets(run + "-g-fixed").partitionsToOffsetAndMetadata())
          .succeedsWithin(Duration.ofSeconds(10)).satisfies(offsets -> assertThat(offsets).isNotEmpty());
    }
  }

  @Test
  void aPayloadOverMaxMessageBytesIsResourceExhausted() {
    byte[] tooBig = new byte[2 * 1024 * 1024 + 1];
    assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(run + "-big", tooBig)))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.RESOURCE_EXHAUSTED))
        .hasMessageContainingAll("2097153 bytes", "maxMessageBytes", "2097152");
  }

  @Test
  void aPayloadOverTheTopicsLimitIsResourceExhausted() throws Exception {
    String topic = run + "-small";
    admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
        .configs(Map.of("max.message.bytes", "1024")))).all().get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> pubSub.publish(PublishRequest.of(topic, new byte[8 * 1024])))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.RESOURCE_EXHAUSTED))
        .hasMessageContainingAll("topic '" + topic + "'", "message.max.bytes");
    pubSub.publish(PublishRequest.of(topic, new byte[100]));
  }

  @Test
  void anInvalidTopicIsInvalidArgument() {
    assertThatThrownBy(() -> pubSub.publish(PublishRequest.of("bad topic", new byte[1])))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
        .hasMessageContaining("'bad topic'");
    assertThatThrownBy(() -> pubSub.subscribe(new SubscribeRequest("a/b", "g", 1, Map.of()),
        m -> CompletableFuture.completedFuture(null)))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT));
  }

  @Test
  void noBrokerAtInitIsUnavailableNamingTheBrokers() throws Exception {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String brokers = "127.0.0.1:" + port;
    KafkaPubSub unreachable = new KafkaPubSub();
    assertThatThrownBy(() -> unreachable.init(KafkaTestSupport.metadata(brokers,
        Map.of(KafkaSettings.PUBLISH_TIMEOUT, "2s"))))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE))
        .hasMessageContaining("brokers '" + brokers + "'");
    unreachable.close();
  }

  @Test
  void closedComponentRefusesWork() {
    KafkaPubSub other = KafkaTestSupport.started(Map.of());
    assertThat(other.checkHealth().isUp()).isTrue();
    other.close();
    other.close();
    assertThat(other.checkHealth().isUp()).isFalse();
    assertThatThrownBy(() -> other.publish(PublishRequest.of(run + "-closed", new byte[1])))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE));
  }
}
