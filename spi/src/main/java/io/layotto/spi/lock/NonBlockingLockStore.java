package io.layotto.spi.lock;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A lock store whose {@code tryLock} and {@code unlock} never block the calling thread: each returns
 * at once with a future the store completes when the backend answers. The runtime calls them on the
 * network event loop that received the request; stores that only implement {@link LockStore} are
 * called on handler threads instead.
 *
 * <p>Same contract as {@link io.layotto.spi.state.NonBlockingStateStore}: no waiting for I/O or
 * contended locks inside the method; a request rejected before anything is sent may throw a
 * {@link io.layotto.spi.ComponentException}, any later failure completes the future exceptionally
 * with one; every future completes (the store applies its own command timeout).
 */
public interface NonBlockingLockStore extends LockStore {

  /** {@link #tryLock}, without blocking. */
  CompletableFuture<Boolean> tryLockAsync(String resourceId, String owner, Duration ttl);

  /** {@link #unlock}, without blocking. */
  CompletableFuture<LockStatus> unlockAsync(String resourceId, String owner);
}
