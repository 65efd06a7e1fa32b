package io.layotto.spi.pubsub.delivery;

import io.layotto.spi.pubsub.Message;
import java.util.concurrent.CompletionStage;

/**
 * Hands one message to the app and completes with its answer. Must not block: it returns at once and
 * completes the stage when the app has answered. A stage completed exceptionally, completed with
 * {@code null}, or not completed within the policy's timeout counts as {@link AppAnswer#RETRY}.
 */
@FunctionalInterface
public interface AppHandler {

  CompletionStage<AppAnswer> deliver(Message message);
}
