package io.layotto.spi.pubsub;

import java.util.concurrent.CompletableFuture;

/**
 * A pub/sub component whose {@code publish} never blocks the calling thread: it returns at once with
 * a future the component completes when the broker has accepted the message. The runtime calls it
 * on the network event loop for {@code PublishEvent}; other components are called on handler
 * threads.
 *
 * <p>Its subscriptions settle without blocking too: what runs when a handler's stage completes (the
 * ack or nack, slot bookkeeping) only queues work and never waits for the broker, because the
 * runtime completes the stages of such a component on the event loop that read the app's answer.
 *
 * <p>Same contract as {@link io.layotto.spi.state.NonBlockingStateStore}: no waiting inside the
 * method; a request rejected before anything is sent may throw a
 * {@link io.layotto.spi.ComponentException}, later failures complete the future exceptionally with
 * one; every future completes.
 */
public interface NonBlockingPubSub extends PubSub {

  /** {@link #publish}, without blocking. */
  CompletableFuture<Void> publishAsync(PublishRequest request);
}
