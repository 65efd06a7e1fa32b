package io.layotto.spi.state;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A state store whose single-key reads, writes and deletes never block the calling thread: each
 * returns at once with a future that the store completes when the backend answers. The runtime
 * calls these methods on the network event loop that received the request, so a call costs no
 * hand-off to a handler thread; stores that only implement {@link StateStore} are called on
 * handler threads instead.
 *
 * <p>Contract, beyond the one of the blocking method each mirrors: the method itself must not wait
 * for I/O, locks held by other callers for long, or sleeps (short in-memory critical sections are
 * fine); it may throw a {@link io.layotto.spi.ComponentException} for a request it rejects before
 * sending anything, and otherwise reports failures by completing the future exceptionally with a
 * {@code ComponentException}. Futures must complete (the store applies its own command timeout).
 */
public interface NonBlockingStateStore extends StateStore {

  /** {@link #get}, without blocking. */
  CompletableFuture<Optional<StateValue>> getAsync(GetRequest request);

  /** {@link #bulkSet}, without blocking; a single write is a list of one. */
  CompletableFuture<Void> bulkSetAsync(List<SetRequest> requests);

  /** {@link #delete}, without blocking. */
  CompletableFuture<Void> deleteAsync(DeleteRequest request);
}
