package io.layotto.spi.pubsub.delivery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unit tests of the retry logic against a scripted fake app and a fake broker. */
class RetryingDeliveryTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final DeliveryPolicy FAST = DeliveryPolicy.builder().maxAttempts(3)
      .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(80)).attemptTimeout(Duration.ofSeconds(5))
      .build();

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final FakePubSub broker = new FakePubSub();
  private final Message message = new Message("orders", "payload".getBytes(UTF_8), Map.of("id", "1-0"));

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void successCompletesNormallyAfterOneAttempt() throws Exception {
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.SUCCESS));
    outcome(deliver(app, FAST));
    assertThat(app.calls()).containsExactly(message);
  }

  @Test
  void dropCompletesNormallyWithoutRetrying() throws Exception {
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.DROP));
    outcome(deliver(app, FAST));
    assertThat(app.calls()).hasSize(1);
    assertThat(broker.published).isEmpty();
  }

  @Test
  void retryTwiceThenSuccessCompletesNormallyAfterTheBackoffs() throws Exception {
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.RETRY), answer(AppAnswer.RETRY), answer(AppAnswer.SUCCESS));
    outcome(deliver(app, FAST));
    assertThat(app.calls()).hasSize(3);
    // the waits are at least the policy's backoffs: 20 ms, then 40 ms
    assertThat(app.gapNanos(1)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(app.gapNanos(2)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
  }

  @Test
  void everyKindOfFailureCountsAsRetry() throws Exception {
    ScriptedApp app = new ScriptedApp(
        () -> { throw new IllegalStateException("app crashed"); },
        () -> CompletableFuture.failedFuture(new IllegalStateException("callback failed")),
        () -> null,
        () -> CompletableFuture.completedFuture(null),
        answer(AppAnswer.SUCCESS));
    outcome(deliver(app, FAST.toBuilder().maxAttempts(5).build()));
    assertThat(app.calls()).hasSize(5);
  }

  @Test
  void anUnansweredAttemptTimesOutAndIsRetried() throws Exception {
    ScriptedApp app = new ScriptedApp(CompletableFuture::new, answer(AppAnswer.SUCCESS));
    outcome(deliver(app, FAST.toBuilder().attemptTimeout(Duration.ofMillis(100)).build()));
    assertThat(app.calls()).hasSize(2);
    assertThat(app.gapNanos(1)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
  }

  @Test
  void aLateAnswerAfterTheTimeoutIsIgnored() throws Exception {
    CompletableFuture<AppAnswer> late = new CompletableFuture<>();
    ScriptedApp app = new ScriptedApp(() -> late, answer(AppAnswer.RETRY));
    CompletableFuture<Void> outcome = deliver(app, FAST.toBuilder().maxAttempts(2)
        .attemptTimeout(Duration.ofMillis(50)).build());
    await().atMost(BOUND).until(outcome::isDone);
    late.complete(AppAnswer.SUCCESS);
    assertThat(outcome).isCompletedExceptionally();
  }

  @Test
  void afterTheLastAttemptWithoutDeadLetterTopicTheBrokerMustRedeliver() {
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.RETRY));
    CompletableFuture<Void> outcome = deliver(app, FAST);
    await().atMost(BOUND).until(outcome::isDone);
    assertThat(outcome).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(UndeliveredException.class)
        .withMessageContaining("topic 'orders'").withMessageContaining("3 attempt(s)");
    assertThat(app.calls()).hasSize(3);
    assertThat(broker.published).isEmpty();
  }

  @Test
  void afterTheLastAttemptTheMessageGoesUnchangedToTheDeadLetterTopic() throws Exception {
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.RETRY));
    outcome(deliver(app, FAST.toBuilder().deadLetterTopic("orders-dlt").build()));
    assertThat(app.calls()).hasSize(3);
    assertThat(broker.published).singleElement().satisfies(request -> {
      assertThat(request.topic()).isEqualTo("orders-dlt");
      assertThat(request.data()).isEqualTo(message.data());
    });
  }

  @Test
  void aFailedDeadLetterPublishLeavesTheMessageToTheBroker() {
    broker.failPublishes = true;
    ScriptedApp app = new ScriptedApp(answer(AppAnswer.RETRY));
    CompletableFuture<Void> outcome = deliver(app, FAST.toBuilder().maxAttempts(1).deadLetterTopic("orders-dlt").build());
    await().atMost(BOUND).until(outcome::isDone);
    assertThat(outcome).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(UndeliveredException.class)
        .withMessageContaining("dead-letter topic 'orders-dlt' failed").withMessageContaining("broker down");
    assertThat(app.calls()).hasSize(1);
  }

  @Test
  void aShutDownSchedulerLeavesTheMessageToTheBroker() {
    scheduler.shutdown();
    ScriptedApp app = new ScriptedApp(CompletableFuture::new);
    CompletableFuture<Void> outcome = deliver(app, FAST);
    assertThat(outcome).isCompletedExceptionally();
  }

  private CompletableFuture<Void> deliver(ScriptedApp app, DeliveryPolicy policy) {
    MessageHandler handler = new RetryingDelivery(app, policy, broker, scheduler);
    return handler.handle(message).toCompletableFuture();
  }

  private static void outcome(CompletableFuture<Void> outcome) throws Exception {
    outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  private static Supplier<@Nullable CompletionStage<AppAnswer>> answer(AppAnswer answer) {
    return () -> CompletableFuture.completedFuture(answer);
  }

  /** Answers with the scripted suppliers in turn; the last one repeats. */
  private static final class ScriptedApp implements AppHandler {
    private final Queue<Supplier<@Nullable CompletionStage<AppAnswer>>> script;
    private final Supplier<@Nullable CompletionStage<AppAnswer>> last;
    private final List<Message> calls = new CopyOnWriteArrayList<>();
    private final List<Long> callNanos = new CopyOnWriteArrayList<>();

    @SafeVarargs
    ScriptedApp(Supplier<@Nullable CompletionStage<AppAnswer>>... answers) {
      script = new ArrayDeque<>(List.of(answers));
      last = answers[answers.length - 1];
    }

    @Override
    public CompletionStage<AppAnswer> deliver(Message message) {
      calls.add(message);
      callNanos.add(System.nanoTime());
      Supplier<@Nullable CompletionStage<AppAnswer>> next;
      synchronized (script) {
        next = script.isEmpty() ? last : script.poll();
      }
      return next.get();
    }

    List<Message> calls() {
      return calls;
    }

    long gapNanos(int index) {
      return callNanos.get(index) - callNanos.get(index - 1);
    }
  }

  /** Records publishes; fails them on demand. */
  private static final class FakePubSub implements PubSub {
    final List<PublishRequest> published = new CopyOnWriteArrayList<>();
    volatile boolean failPublishes;

    @Override
    public void init(Metadata metadata) {}

    @Override
    public Set<PubSubFeature> features() {
      return Set.of();
    }

    @Override
    public void publish(PublishRequest request) {
      if (failPublishes) {
        throw ComponentException.unavailable("broker down", null);
      }
      published.add(request);
    }

    @Override
    public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
      throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public void close() {}
  }
}
