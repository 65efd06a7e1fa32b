package io.layotto.runtime.pubsub;

import io.layotto.spi.pubsub.delivery.AppAnswer;
import java.util.concurrent.CompletionStage;

/**
 * Where a subscription's events go: the app's callback server or a streaming subscriber. Must not
 * block; a stage completing exceptionally counts as RETRY.
 */
@FunctionalInterface
public interface EventSink {

  CompletionStage<AppAnswer> deliver(TopicEvent event);
}
