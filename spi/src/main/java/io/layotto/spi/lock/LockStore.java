package io.layotto.spi.lock;

import io.layotto.spi.Component;
import io.layotto.spi.ComponentException;
import java.time.Duration;
import java.util.Set;

/**
 * A distributed lock service. Thread-safe. Resource ids are non-empty strings of any Unicode (the
 * runtime has already prefixed them); owners are opaque non-empty strings chosen by the caller. The
 * rules are in the {@linkplain io.layotto.spi.lock package documentation}.
 *
 * <p>Failures are {@link ComponentException}s; the runtime maps their kind to a gRPC status. When
 * the backend cannot tell whether the lock was taken (e.g. too few Redlock nodes answered), the
 * store throws {@link ComponentException.Kind#UNAVAILABLE} rather than guess.
 */
public interface LockStore extends Component {

  /** The optional features this store supports; must equal its factory's capabilities. */
  Set<LockFeature> features();

  /**
   * Takes the lock on {@code resourceId} for {@code owner} if nobody holds a live lock on it.
   *
   * @param ttl how long the lock lives unless released or extended, checked with
   *     {@link LockRequests#check}
   * @return true when taken by this call
   */
  boolean tryLock(String resourceId, String owner, Duration ttl);

  /** Releases the lock if {@code owner} holds it. */
  LockStatus unlock(String resourceId, String owner);

  /**
   * Sets the remaining time-to-live of a lock {@code owner} holds to {@code ttl}. Only for stores
   * with {@link LockFeature#KEEP_ALIVE}.
   */
  default LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    throw ComponentException.unsupported("lock store does not support keep-alive");
  }
}
