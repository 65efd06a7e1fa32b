package io.layotto.spi.sequencer;

import java.util.concurrent.CompletableFuture;

/**
 * A sequencer whose {@code nextId} never blocks the calling thread: it returns at once with a
 * future the component completes when the backend answers. The runtime calls it on the network
 * event loop for STRONG ids; other sequencers are called on handler threads.
 *
 * <p>Same contract as {@link io.layotto.spi.state.NonBlockingStateStore}: no waiting inside the
 * method; a request rejected before anything is sent may throw a
 * {@link io.layotto.spi.ComponentException}, later failures complete the future exceptionally with
 * one; every future completes.
 */
public interface NonBlockingSequencer extends Sequencer {

  /** {@link #nextId}, without blocking. */
  CompletableFuture<Long> nextIdAsync(String key);
}
