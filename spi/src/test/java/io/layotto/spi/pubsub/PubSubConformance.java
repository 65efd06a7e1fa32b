package io.layotto.spi.pubsub;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.layotto.spi.pubsub.delivery.AppAnswer;
import io.layotto.spi.pubsub.delivery.AppHandler;
import io.layotto.spi.pubsub.delivery.DeliveryPolicy;
import io.layotto.spi.pubsub.delivery.RetryingDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link PubSub} must show, run against a real broker. A component's test extends
 * this class and implements {@link #createPubSub()}.
 *
 * <h2>Lifecycle and names</h2>
 * One component per test class: {@link #createPubSub()} is called once before the first test and the
 * component is closed after the last (after {@link #deleteCreated} let the subclass remove what the
 * run created). Every topic and consumer group name starts with a random per-run prefix
 * ({@link #runPrefix()}; lowercase letters, digits and {@code -} only, valid for every broker) and
 * carries a per-call sequence number, so concurrent runs against a shared broker never meet.
 * Subscriptions a test opens are closed after it.
 *
 * <h2>What is assumed of groups</h2>
 * The kit always subscribes a group before publishing what the group must receive: a group may start
 * at "new messages only" (Redis {@code XGROUP CREATE ... $}, a new queue). Once created, a group keeps
 * receiving while none of its subscriptions is open (durable consumer, queue, stream group), which is
 * what "no loss when the subscriber disconnects and returns" checks.
 *
 * <h2>Features</h2>
 * Each {@link PubSubFeature} the component declares is tested in full; for an undeclared one the kit
 * checks the clean fallback instead, so nothing is skipped:
 * <ul>
 *   <li>{@link PubSubFeature#ORDERING} declared: a group's only subscription with {@code maxInFlight = 1}
 *       gets first deliveries in publish order (redeliveries of failed messages may come later, as the
 *       broker schedules them). Not declared: every message still arrives, in any order.</li>
 *   <li>{@link PubSubFeature#BULK_PUBLISH} declared or not: {@link PubSub#bulkPublish} delivers every
 *       message (natively, or through the default one-by-one loop), in order where ORDERING is declared.</li>
 *   <li>{@link PubSubFeature#MESSAGE_TTL} declared: a message published with {@code ttlInSeconds=1}
 *       while its group has no open subscription is never delivered once it expired. Not declared: the
 *       component accepts that metadata and delivers the message (the runtime enforces expiry through
 *       the CloudEvents {@code expiration} attribute instead).</li>
 * </ul>
 *
 * <h2>Tuning hooks</h2>
 * {@link #deliveryTimeout()} bounds any normal delivery, {@link #redeliveryTimeout()} how long a failed
 * or abandoned message may take to come back (e.g. a pending-entry idle timeout), {@link #quietPeriod()}
 * how long the kit watches for a delivery that must not happen. Configure the component under test with
 * short timeouts rather than raising these.
 *
 * <h2>Use</h2>
 * Depend on {@code layotto-spi} with {@code <type>test-jar</type>} (test scope) and write:
 * <pre>{@code
 * class RedisPubSubConformanceTest extends PubSubConformance {
 *   protected PubSub createPubSub() {
 *     PubSub pubSub = new RedisPubSubFactory().create();
 *     pubSub.init(new Metadata("pubsub_conformance", Map.of("redisHost", "127.0.0.1:6379")));
 *     return pubSub;
 *   }
 * }
 * }</pre>
 * A component that cannot reach its broker must throw from {@code createPubSub()}, which fails (never
 * skips) every test of the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PubSubConformance {

  private static final int ONE_MIB = 1 << 20;

  private final String runPrefix = "conf-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private final AtomicInteger nameSequence = new AtomicInteger();
  private final Set<String> createdTopics = ConcurrentHashMap.newKeySet();
  private final Set<String> createdGroups = ConcurrentHashMap.newKeySet();
  private final List<Subscription> openSubscriptions = new CopyOnWriteArrayList<>();
  private @Nullable PubSub pubSub;
  private @Nullable ScheduledExecutorService scheduler;

  /** A new component, already initialised against the broker under test. The kit closes it. */
  protected abstract PubSub createPubSub();

  /** Upper bound for a published message to reach a live subscription. */
  protected Duration deliveryTimeout() {
    return Duration.ofSeconds(20);
  }

  /** Upper bound for a failed or abandoned (never completed) message to be delivered again. */
  protected Duration redeliveryTimeout() {
    return Duration.ofSeconds(30);
  }

  /** How long the kit watches for a delivery that must not happen (e.g. after an ack). */
  protected Duration quietPeriod() {
    return Duration.ofSeconds(2);
  }

  /** Component-specific subscription metadata added to every subscription of the kit. */
  protected Map<String, String> subscriptionMetadata() {
    return Map.of();
  }

  /**
   * Removes what this run created on the broker (streams, queues, durable consumers). Called once
   * after the last test, before the component is closed; the default does nothing.
   */
  protected void deleteCreated(PubSub pubSub, Set<String> topics, Set<String> groups) {}

  @BeforeAll
  final void openPubSub() {
    scheduler = Executors.newScheduledThreadPool(2,
        Thread.ofPlatform().daemon().name("pubsub-conformance-", 0).factory());
    pubSub = createPubSub();
  }

  @AfterEach
  final void closeSubscriptions() {
    for (Subscription subscription : openSubscriptions) {
      subscription.close();
    }
    openSubscriptions.clear();
  }

  @AfterAll
  final void closePubSub() {
    try {
      if (pubSub != null) {
        try {
          deleteCreated(pubSub, Set.copyOf(createdTopics), Set.copyOf(createdGroups));
        } finally {
          pubSub.close();
        }
      }
    } finally {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
    }
  }

  /** The component shared by all tests of the class, for extra tests in subclasses. */
  protected final PubSub pubSub() {
    return Objects.requireNonNull(pubSub, "pub/sub not created yet");
  }

  /** The random prefix of every topic and group this run uses. */
  protected final String runPrefix() {
    return runPrefix;
  }

  /** A topic name unique to this run and call. */
  protected final String topic(String name) {
    String topic = runPrefix + name + "-" + nameSequence.incrementAndGet();
    createdTopics.add(topic);
    return topic;
  }

  /** A consumer group name unique to this run and call. */
  protected final String group(String name) {
    String group = runPrefix + "g-" + name + "-" + nameSequence.incrementAndGet();
    createdGroups.add(group);
    return group;
  }

  /** Subscribes and remembers the subscription, so it is closed after the test. */
  protected final Subscription subscribe(String topic, String group, int maxInFlight, MessageHandler handler) {
    Subscription subscription = pubSub().subscribe(
        new SubscribeRequest(topic, group, maxInFlight, subscriptionMetadata()), handler);
    openSubscriptions.add(subscription);
    return subscription;
  }

  private void close(Subscription subscription) {
    openSubscriptions.remove(subscription);
    subscription.close();
  }

  private boolean declares(PubSubFeature feature) {
    return pubSub().features().contains(feature);
  }

  private ScheduledExecutorService scheduler() {
    return Objects.requireNonNull(scheduler);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  @DisplayName("a freshly initialised component reports healthy")
  void reportsHealthy() {
    assertThat(pubSub().checkHealth().isUp()).as("checkHealth() of %s", pubSub().getClass().getName()).isTrue();
  }

  @Test
  @DisplayName("close() may be called twice without throwing")
  void closeIsIdempotent() {
    PubSub another = createPubSub();
    another.close();
    another.close();
  }

  @Test
  @DisplayName("publishing to a topic nobody subscribed succeeds")
  void publishWithoutSubscribers() {
    pubSub().publish(PublishRequest.of(topic("nobody"), text("unheard")));
  }

  // ---------------------------------------------------------------- delivery

  @Test
  @DisplayName("a published message arrives byte-exact, with its topic")
  void publishThenReceive() {
    String topic = topic("basic");
    Recorder recorder = Recorder.acking();
    subscribe(topic, group("basic"), 4, recorder);
    byte[] binary = new byte[512];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i % 256);
    }
    byte[] textual = "héllo, wörld ✓ {\"json\":true}".getBytes(UTF_8);
    pubSub().publish(PublishRequest.of(topic, binary));
    pubSub().publish(new PublishRequest(topic, textual, "application/json", Map.of()));

    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.count()).as("deliveries").isGreaterThanOrEqualTo(2));
    assertThat(recorder.messages()).extracting(Message::topic).containsOnly(topic);
    assertThat(recorder.messages()).anySatisfy(m -> assertThat(m.data()).isEqualTo(binary));
    assertThat(recorder.messages()).anySatisfy(m -> assertThat(m.data()).isEqualTo(textual));
  }

  @Test
  @DisplayName("publishAsync (NonBlockingPubSub): 200 messages in flight at once all arrive")
  void nonBlockingPublish() throws Exception {
    if (!(pubSub() instanceof NonBlockingPubSub nonBlocking)) {
      return; // the runtime calls such components on handler threads only
    }
    String topic = topic("non-blocking");
    Recorder recorder = Recorder.acking();
    subscribe(topic, group("non-blocking"), 16, recorder);
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sent.add(nonBlocking.publishAsync(PublishRequest.of(topic, text("async-" + i))));
    }
    for (var future : sent) {
      future.get(30, TimeUnit.SECONDS);
    }
    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.messages().stream()
        .map(m -> new String(m.data(), UTF_8)).distinct().count()).as("distinct deliveries").isEqualTo(200));
  }

  @Test
  @DisplayName("several topics are isolated from each other")
  void topicsAreIsolated() {
    String first = topic("iso-a");
    String second = topic("iso-b");
    String group = group("iso");
    Recorder firstRecorder = Recorder.acking();
    Recorder secondRecorder = Recorder.acking();
    subscribe(first, group, 8, firstRecorder);
    subscribe(second, group, 8, secondRecorder);
    for (int i = 0; i < 5; i++) {
      pubSub().publish(PublishRequest.of(first, text("a-" + i)));
      pubSub().publish(PublishRequest.of(second, text("b-" + i)));
    }
    await().atMost(deliveryTimeout()).untilAsserted(() -> {
      assertThat(firstRecorder.distinct()).as("first topic's messages").hasSize(5);
      assertThat(secondRecorder.distinct()).as("second topic's messages").hasSize(5);
    });
    assertThat(firstRecorder.distinct()).containsExactlyInAnyOrderElementsOf(range("a-", 0, 5));
    assertThat(secondRecorder.distinct()).containsExactlyInAnyOrderElementsOf(range("b-", 0, 5));
    assertThat(firstRecorder.messages()).extracting(Message::topic).containsOnly(first);
    assertThat(secondRecorder.messages()).extracting(Message::topic).containsOnly(second);
  }

  @Test
  @DisplayName("two subscriptions of one group share the messages: each handled once, both get some")
  void competingConsumersShareTheLoad() {
    String topic = topic("compete");
    String group = group("compete");
    // slow acks and a small window, so neither subscription can take everything
    Recorder first = Recorder.ackingAfter(scheduler(), Duration.ofMillis(20));
    Recorder second = Recorder.ackingAfter(scheduler(), Duration.ofMillis(20));
    subscribe(topic, group, 2, first);
    subscribe(topic, group, 2, second);
    int count = 40;
    for (int i = 0; i < count; i++) {
      pubSub().publish(PublishRequest.of(topic, text("m-" + i)));
    }
    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(union(first, second)).as("messages handled by either").hasSize(count));
    await("each message handled exactly once: " + first + " / " + second)
        .during(quietPeriod()).atMost(quietPeriod().plus(deliveryTimeout()))
        .until(() -> first.count() + second.count() == count);
    assertThat(union(first, second)).containsExactlyInAnyOrderElementsOf(range("m-", 0, count));
    assertThat(first.count()).as("messages handled by the first subscription").isPositive();
    assertThat(second.count()).as("messages handled by the second subscription").isPositive();
    assertThat(first.maxOutstanding()).isLessThanOrEqualTo(2);
    assertThat(second.maxOutstanding()).isLessThanOrEqualTo(2);
  }

  @Test
  @DisplayName("each of two groups gets every message (fan-out)")
  void fanOutAcrossGroups() {
    String topic = topic("fanout");
    Recorder first = Recorder.acking();
    Recorder second = Recorder.acking();
    subscribe(topic, group("fan-1"), 4, first);
    subscribe(topic, group("fan-2"), 4, second);
    int count = 10;
    for (int i = 0; i < count; i++) {
      pubSub().publish(PublishRequest.of(topic, text("f-" + i)));
    }
    await().atMost(deliveryTimeout()).untilAsserted(() -> {
      assertThat(first.distinct()).as("messages of the first group").hasSize(count);
      assertThat(second.distinct()).as("messages of the second group").hasSize(count);
    });
    await("each group handles each message once").during(quietPeriod())
        .atMost(quietPeriod().plus(deliveryTimeout()))
        .until(() -> first.count() == count && second.count() == count);
    assertThat(first.distinct()).containsExactlyInAnyOrderElementsOf(range("f-", 0, count));
    assertThat(second.distinct()).containsExactlyInAnyOrderElementsOf(range("f-", 0, count));
  }

  @Test
  @DisplayName("a message whose handler stage fails is delivered again, and not after it was acked")
  void redeliveryAfterFailure() {
    String topic = topic("redeliver");
    ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    Recorder recorder = new Recorder(m -> seen.computeIfAbsent(text(m), k -> new AtomicInteger()).incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IllegalStateException("conformance: first delivery fails"))
        : CompletableFuture.completedFuture(null));
    subscribe(topic, group("redeliver"), 4, recorder);
    List<String> payloads = range("r-", 0, 3);
    payloads.forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));

    await().atMost(deliveryTimeout().plus(redeliveryTimeout()))
        .untilAsserted(() -> assertThat(payloads).as("payloads delivered at least twice, in %s", recorder)
            .allMatch(p -> recorder.countOf(p) >= 2));
    int delivered = recorder.count();
    await("no delivery after the acks").during(quietPeriod()).atMost(quietPeriod().plusSeconds(5))
        .until(() -> recorder.count() == delivered);
    assertThat(payloads).allSatisfy(p -> assertThat(recorder.countOf(p)).as("deliveries of %s", p).isEqualTo(2));
  }

  // ---------------------------------------------------------------- with the runtime's retry policy

  @Test
  @DisplayName("RetryingDelivery: RETRY twice then SUCCESS acks the message; it is not delivered again")
  void retryTwiceThenSuccess() {
    String topic = topic("retry-ok");
    CountingApp app = new CountingApp(calls -> calls <= 2 ? AppAnswer.RETRY : AppAnswer.SUCCESS);
    Recorder broker = new Recorder(retrying(app, fastPolicy(5, null))::handle);
    subscribe(topic, group("retry-ok"), 4, broker);
    pubSub().publish(PublishRequest.of(topic, text("retry-me")));

    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(app.calls("retry-me")).as("app calls").isGreaterThanOrEqualTo(3));
    await("the acked message is not delivered again").during(quietPeriod().multipliedBy(2))
        .atMost(quietPeriod().multipliedBy(2).plusSeconds(5))
        .until(() -> app.calls("retry-me") == 3);
    assertThat(broker.count()).as("deliveries by the component").isEqualTo(1);
  }

  @Test
  @DisplayName("RetryingDelivery: DROP discards the message")
  void dropDiscards() {
    String topic = topic("drop");
    CountingApp app = new CountingApp(calls -> AppAnswer.DROP);
    Recorder broker = new Recorder(retrying(app, fastPolicy(5, null))::handle);
    subscribe(topic, group("drop"), 4, broker);
    pubSub().publish(PublishRequest.of(topic, text("drop-me")));

    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(app.calls("drop-me")).as("app calls").isPositive());
    await("the dropped message is not delivered again").during(quietPeriod().multipliedBy(2))
        .atMost(quietPeriod().multipliedBy(2).plusSeconds(5))
        .until(() -> app.calls("drop-me") == 1);
    assertThat(broker.count()).isEqualTo(1);
  }

  @Test
  @DisplayName("RetryingDelivery: after N failed attempts the message goes to the dead-letter topic, not back")
  void deadLetterTopicAfterNAttempts() {
    String topic = topic("dlq-src");
    String deadLetterTopic = topic("dlq");
    Recorder deadLetters = Recorder.acking();
    subscribe(deadLetterTopic, group("dlq-reader"), 4, deadLetters);
    CountingApp app = new CountingApp(calls -> AppAnswer.RETRY);
    subscribe(topic, group("dlq-src"), 4, retrying(app, fastPolicy(3, deadLetterTopic)));
    byte[] payload = text("poison");
    pubSub().publish(PublishRequest.of(topic, payload));

    await().atMost(deliveryTimeout().multipliedBy(2)).untilAsserted(() -> assertThat(deadLetters.count())
        .as("messages on the dead-letter topic after %d app calls", app.calls("poison")).isPositive());
    assertThat(deadLetters.messages().getFirst().data()).isEqualTo(payload);
    assertThat(deadLetters.messages().getFirst().topic()).isEqualTo(deadLetterTopic);
    await("3 app calls, 1 dead letter, and no redelivery afterwards").during(quietPeriod().multipliedBy(2))
        .atMost(quietPeriod().multipliedBy(2).plusSeconds(5))
        .until(() -> app.calls("poison") == 3 && deadLetters.count() == 1);
  }

  // ---------------------------------------------------------------- durability of groups

  @Test
  @DisplayName("no loss when the subscriber disconnects with unacked messages and returns")
  void noLossAcrossResubscribe() {
    String topic = topic("away");
    String group = group("away");
    // acks the first five, never completes the rest: they stay unacked when the subscription closes
    Recorder leaving = new Recorder(m -> index(text(m)) < 5
        ? CompletableFuture.completedFuture(null)
        : new CompletableFuture<>());
    Subscription first = subscribe(topic, group, 10, leaving);
    range("w-", 0, 10).forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));
    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(leaving.distinct()).as("first subscription's messages").hasSize(10));
    close(first);
    int seenBeforeClose = leaving.count();

    range("w-", 10, 20).forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));
    Recorder returning = Recorder.acking();
    subscribe(topic, group, 10, returning);

    List<String> expected = range("w-", 5, 20);
    await().atMost(deliveryTimeout().plus(redeliveryTimeout()))
        .untilAsserted(() -> assertThat(returning.distinct()).as("messages after returning").containsAll(expected));
    assertThat(leaving.count()).as("deliveries to the closed subscription after close()").isEqualTo(seenBeforeClose);
    int duplicates = returning.count() - returning.distinct().size()
        + (int) returning.distinct().stream().filter(p -> index(p) < 5).count();
    System.out.printf("%s no-loss check: %d messages, 0 lost, %d duplicate deliveries%n",
        pubSub().getClass().getSimpleName(), 20, duplicates);
  }

  // ---------------------------------------------------------------- limits

  @Test
  @DisplayName("never more than maxInFlight messages outstanding (slow handler)")
  void backPressure() {
    String topic = topic("slow");
    Recorder slow = Recorder.ackingAfter(scheduler(), Duration.ofMillis(30));
    subscribe(topic, group("slow"), 3, slow);
    int count = 30;
    range("s-", 0, count).forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));
    await().atMost(deliveryTimeout().multipliedBy(2)).untilAsserted(() -> assertThat(slow.distinct()).as("messages").hasSize(count));
    assertThat(slow.maxOutstanding()).as("most messages handed out and not completed at once").isBetween(1, 3);
  }

  @Test
  @DisplayName("a 1 MiB payload arrives byte-exact")
  void largePayload() {
    String topic = topic("large");
    Recorder recorder = Recorder.acking();
    subscribe(topic, group("large"), 2, recorder);
    byte[] payload = new byte[ONE_MIB];
    new Random(42).nextBytes(payload);
    pubSub().publish(PublishRequest.of(topic, payload));
    await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.count()).as("deliveries").isPositive());
    assertThat(recorder.messages().getFirst().data()).hasSize(ONE_MIB).isEqualTo(payload);
  }

  // ---------------------------------------------------------------- optional features

  @TestFactory
  @DisplayName("ORDERING")
  Stream<DynamicTest> ordering() {
    int count = 50;
    if (declares(PubSubFeature.ORDERING)) {
      return Stream.of(dynamicTest("declared: one subscription with maxInFlight=1 gets publish order", () -> {
        String topic = topic("order");
        Recorder recorder = Recorder.acking();
        subscribe(topic, group("order"), 1, recorder);
        range("o-", 0, count).forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));
        await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.distinct()).as("messages").hasSize(count));
        assertThat(recorder.distinct()).containsExactlyElementsOf(range("o-", 0, count));
      }));
    }
    return Stream.of(dynamicTest("not declared: every message still arrives, in any order", () -> {
      String topic = topic("unordered");
      Recorder recorder = Recorder.acking();
      subscribe(topic, group("unordered"), 1, recorder);
      range("o-", 0, count).forEach(p -> pubSub().publish(PublishRequest.of(topic, text(p))));
      await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.distinct()).as("messages").hasSize(count));
      assertThat(recorder.distinct()).containsExactlyInAnyOrderElementsOf(range("o-", 0, count));
    }));
  }

  @TestFactory
  @DisplayName("BULK_PUBLISH")
  Stream<DynamicTest> bulkPublish() {
    String how = declares(PubSubFeature.BULK_PUBLISH) ? "declared: native bulk publish" : "not declared: the default loop";
    return Stream.of(
        dynamicTest(how + " delivers every message of several topics", () -> {
          String first = topic("bulk-a");
          String second = topic("bulk-b");
          Recorder firstRecorder = Recorder.acking();
          Recorder secondRecorder = Recorder.acking();
          subscribe(first, group("bulk"), 1, firstRecorder);
          subscribe(second, group("bulk"), 1, secondRecorder);
          List<PublishRequest> requests = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            requests.add(PublishRequest.of(first, text("ba-" + i)));
            requests.add(PublishRequest.of(second, text("bb-" + i)));
          }
          pubSub().bulkPublish(requests);
          await().atMost(deliveryTimeout()).untilAsserted(() -> {
            assertThat(firstRecorder.distinct()).as("first topic's messages").hasSize(20);
            assertThat(secondRecorder.distinct()).as("second topic's messages").hasSize(20);
          });
          if (declares(PubSubFeature.ORDERING)) {
            assertThat(firstRecorder.distinct()).containsExactlyElementsOf(range("ba-", 0, 20));
            assertThat(secondRecorder.distinct()).containsExactlyElementsOf(range("bb-", 0, 20));
          } else {
            assertThat(firstRecorder.distinct()).containsExactlyInAnyOrderElementsOf(range("ba-", 0, 20));
            assertThat(secondRecorder.distinct()).containsExactlyInAnyOrderElementsOf(range("bb-", 0, 20));
          }
        }),
        dynamicTest(how + " of an empty list does nothing", () -> pubSub().bulkPublish(List.of())));
  }

  @TestFactory
  @DisplayName("MESSAGE_TTL")
  Stream<DynamicTest> messageTtl() {
    if (declares(PubSubFeature.MESSAGE_TTL)) {
      return Stream.of(dynamicTest("declared: an expired message is not delivered, a lasting one is", () -> {
        String topic = topic("ttl");
        String group = group("ttl");
        close(subscribe(topic, group, 4, Recorder.acking()));
        pubSub().publish(new PublishRequest(topic, text("expiring"), null, Map.of("ttlInSeconds", "1")));
        pubSub().publish(PublishRequest.of(topic, text("lasting")));
        Thread.sleep(2_500);
        Recorder recorder = Recorder.acking();
        subscribe(topic, group, 4, recorder);
        await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.distinct()).contains("lasting"));
        await("the expired message is never delivered").during(quietPeriod()).atMost(quietPeriod().plusSeconds(5))
            .until(() -> !recorder.distinct().contains("expiring"));
      }));
    }
    return Stream.of(dynamicTest("not declared: ttlInSeconds is accepted and the message delivered", () -> {
      String topic = topic("ttl-fallback");
      Recorder recorder = Recorder.acking();
      subscribe(topic, group("ttl-fallback"), 4, recorder);
      pubSub().publish(new PublishRequest(topic, text("with-ttl"), null, Map.of("ttlInSeconds", "60")));
      await().atMost(deliveryTimeout()).untilAsserted(() -> assertThat(recorder.distinct()).contains("with-ttl"));
    }));
  }

  // ---------------------------------------------------------------- helpers

  private MessageHandler retrying(AppHandler app, DeliveryPolicy policy) {
    return new RetryingDelivery(app, policy, pubSub(), scheduler());
  }

  private static DeliveryPolicy fastPolicy(int maxAttempts, @Nullable String deadLetterTopic) {
    return DeliveryPolicy.builder().maxAttempts(maxAttempts).initialBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofMillis(50)).attemptTimeout(Duration.ofSeconds(5)).deadLetterTopic(deadLetterTopic)
        .build();
  }

  private static byte[] text(String text) {
    return text.getBytes(UTF_8);
  }

  private static String text(Message message) {
    return new String(message.data(), UTF_8);
  }

  private static List<String> range(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
  }

  private static int index(String payload) {
    return Integer.parseInt(payload.substring(payload.lastIndexOf('-') + 1));
  }

  private static Set<String> union(Recorder first, Recorder second) {
    Set<String> all = new LinkedHashSet<>(first.distinct());
    all.addAll(second.distinct());
    return all;
  }

  /** The app side of {@link RetryingDelivery}: answers by how often it saw a payload. */
  private static final class CountingApp implements AppHandler {
    private final Function<Integer, AppAnswer> answerForCall;
    private final ConcurrentHashMap<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    CountingApp(Function<Integer, AppAnswer> answerForCall) {
      this.answerForCall = answerForCall;
    }

    @Override
    public CompletionStage<AppAnswer> deliver(Message message) {
      int call = calls.computeIfAbsent(text(message), k -> new AtomicInteger()).incrementAndGet();
      return CompletableFuture.completedFuture(answerForCall.apply(call));
    }

    int calls(String payload) {
      AtomicInteger count = calls.get(payload);
      return count == null ? 0 : count.get();
    }
  }

  /**
   * Records every delivery and how many were outstanding (handed out, stage not completed) at once;
   * completes each stage as {@code reaction} says.
   */
  protected static final class Recorder implements MessageHandler {
    private final Function<Message, CompletionStage<Void>> reaction;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();

    public Recorder(Function<Message, CompletionStage<Void>> reaction) {
      this.reaction = reaction;
    }

    public static Recorder acking() {
      return new Recorder(m -> CompletableFuture.completedFuture(null));
    }

    public static Recorder ackingAfter(ScheduledExecutorService scheduler, Duration delay) {
      return new Recorder(m -> {
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.schedule(() -> done.complete(null), delay.toNanos(), TimeUnit.NANOSECONDS);
        return done;
      });
    }

    @Override
    public CompletionStage<Void> handle(Message message) {
      messages.add(message);
      maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      CompletableFuture<Void> result = new CompletableFuture<>();
      reaction.apply(message).whenComplete((ignored, error) -> {
        outstanding.decrementAndGet();
        if (error == null) {
          result.complete(null);
        } else {
          result.completeExceptionally(error);
        }
      });
      return result;
    }

    public List<Message> messages() {
      return messages;
    }

    public int count() {
      return messages.size();
    }

    public int countOf(String payload) {
      return (int) messages.stream().filter(m -> text(m).equals(payload)).count();
    }

    /** Payloads as text, in order of first delivery, without duplicates. */
    public List<String> distinct() {
      return List.copyOf(new LinkedHashSet<>(messages.stream().map(PubSubConformance::text).toList()));
    }

    public int maxOutstanding() {
      return maxOutstanding.get();
    }

    @Override
    public String toString() {
      Map<String, Integer> counts = new TreeMap<>();
      messages.forEach(m -> counts.merge(text(m), 1, Integer::sum));
      return "Recorder" + counts;
    }
  }
}
