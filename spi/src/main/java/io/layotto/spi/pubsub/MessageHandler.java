package io.layotto.spi.pubsub;

import java.util.concurrent.CompletionStage;

/**
 * Receives a subscription's messages. Completing the stage normally acks the message; completing it
 * exceptionally asks the component to deliver it again later. Called from the component's threads;
 * must not block them (the runtime returns at once and completes the stage later).
 */
@FunctionalInterface
public interface MessageHandler {

  CompletionStage<Void> handle(Message message);
}
