package io.layotto.spi.pubsub.delivery;

import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PublishRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageHandler} that offers each message to the app under a {@link DeliveryPolicy}:
 * <ul>
 *   <li>{@link AppAnswer#SUCCESS}: the stage completes normally, so the component acks.</li>
 *   <li>{@link AppAnswer#DROP}: logged, then acked like a success.</li>
 *   <li>{@link AppAnswer#RETRY}, an exception, a {@code null} stage or answer, or no answer within
 *       the attempt timeout: offered again after the backoff, up to {@code maxAttempts} times. Then the
 *       message is published unchanged to the dead-letter topic through the same {@link PubSub} and
 *       acked only once that publish succeeded; without a dead-letter topic, or if that publish fails,
 *       the stage completes exceptionally ({@link UndeliveredException}) and the broker redelivers
 *       the message later. A message is thus never lost, only delivered more than once.</li>
 * </ul>
 * Waiting is done with the shared {@link ScheduledExecutorService}; no thread sleeps or blocks on the
 * app. Only the dead-letter publish, which blocks until the broker accepted it, runs on
 * {@code publishExecutor} (by default a new virtual thread each time). Thread-safe; one instance may
 * serve any number of subscriptions.
 */
public final class RetryingDelivery implements MessageHandler {

  private static final Logger log = LoggerFactory.getLogger(RetryingDelivery.class);
  private static final Executor VIRTUAL_THREADS =
      command -> Thread.ofVirtual().name("layotto-dead-letter").start(command);

  private final AppHandler app;
  private final DeliveryPolicy policy;
  private final PubSub pubSub;
  private final ScheduledExecutorService scheduler;
  private final Executor publishExecutor;

  public RetryingDelivery(AppHandler app, DeliveryPolicy policy, PubSub pubSub, ScheduledExecutorService scheduler) {
    this(app, policy, pubSub, scheduler, VIRTUAL_THREADS);
  }

  public RetryingDelivery(AppHandler app, DeliveryPolicy policy, PubSub pubSub, ScheduledExecutorService scheduler,
      Executor publishExecutor) {
    this.app = app;
    this.policy = policy;
    this.pubSub = pubSub;
    this.scheduler = scheduler;
    this.publishExecutor = publishExecutor;
  }

  public DeliveryPolicy policy() {
    return policy;
  }

  @Override
  public CompletionStage<Void> handle(Message message) {
    CompletableFuture<Void> outcome = new CompletableFuture<>();
    attempt(message, 1, outcome);
    return outcome;
  }

  private void attempt(Message message, int attempt, CompletableFuture<Void> outcome) {
    askApp(message).whenComplete((answer, error) -> {
      if (error == null && answer == AppAnswer.SUCCESS) {
        outcome.complete(null);
      } else if (error == null && answer == AppAnswer.DROP) {
        log.warn("app answered DROP to a message of topic '{}' (attempt {}): acked without processing {}",
            message.topic(), attempt, message.metadata());
        outcome.complete(null);
      } else {
        String reason = error != null ? describe(error) : answer == null ? "no answer (null)" : "RETRY";
        retryOrGiveUp(message, attempt, reason, error, outcome);
      }
    });
  }

  /** The app's answer, or a failure for exceptions and the timeout; never throws. */
  private CompletableFuture<@Nullable AppAnswer> askApp(Message message) {
    CompletableFuture<@Nullable AppAnswer> answer = new CompletableFuture<>();
    CompletionStage<AppAnswer> stage;
    try {
      stage = app.deliver(message);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      return answer;
    }
    if (stage == null) {
      answer.complete(null);
      return answer;
    }
    Duration timeout = policy.attemptTimeout();
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(
          () -> answer.completeExceptionally(new TimeoutException("no answer within " + timeout)),
          timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down: the message stays unacked and is redelivered after the restart
      answer.completeExceptionally(e);
      return answer;
    }
    stage.whenComplete((value, error) -> {
      timer.cancel(false);
      if (error != null) {
        answer.completeExceptionally(error);
      } else {
        answer.complete(value);
      }
    });
    return answer;
  }

  private void retryOrGiveUp(Message message, int attempt, String reason, @Nullable Throwable error,
      CompletableFuture<Void> outcome) {
    if (attempt < policy.maxAttempts()) {
      Duration backoff = policy.backoffAfter(attempt);
      log.debug("message of topic '{}' not taken by the app ({}), attempt {} of {}; retrying in {}",
          message.topic(), reason, attempt, policy.maxAttempts(), backoff);
      try {
        scheduler.schedule(() -> attempt(message, attempt + 1, outcome), backoff.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        outcome.completeExceptionally(new UndeliveredException("shutting down before retrying a message of topic '"
            + message.topic() + "'; left to the broker to redeliver", e));
      }
      return;
    }
    String deadLetterTopic = policy.deadLetterTopic();
    String gaveUp = "app did not take a message of topic '" + message.topic() + "' in " + attempt
        + " attempt(s), last: " + reason;
    if (deadLetterTopic == null) {
      log.warn("{}; left to the broker to redeliver", gaveUp);
      outcome.completeExceptionally(new UndeliveredException(gaveUp, error));
      return;
    }
    CompletableFuture
        .runAsync(() -> pubSub.publish(new PublishRequest(deadLetterTopic, message.data(), null, Map.of())), publishExecutor)
        .whenComplete((ignored, publishError) -> {
          if (publishError == null) {
            log.warn("{}; moved to dead-letter topic '{}'", gaveUp, deadLetterTopic);
            outcome.complete(null);
          } else {
            String failed = gaveUp + "; publishing to dead-letter topic '" + deadLetterTopic + "' failed: "
                + describe(publishError);
            log.warn("{}; left to the broker to redeliver", failed);
            outcome.completeExceptionally(new UndeliveredException(failed, publishError));
          }
        });
  }

  private static String describe(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
