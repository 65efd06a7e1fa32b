package io.layotto.spi.lock;

import io.layotto.spi.ComponentException;
import java.time.Duration;

/** Shared checks of lock arguments, so every store rejects the same inputs with the same words. */
public final class LockRequests {

  /** The longest time-to-live a lock may have: one year. Longer ones are almost surely mistakes. */
  public static final Duration MAX_TTL = Duration.ofDays(365);

  private LockRequests() {}

  /**
   * Checks the arguments of a tryLock or keep-alive.
   *
   * @return the time-to-live in whole milliseconds (at least 1)
   * @throws ComponentException INVALID_ARGUMENT naming the argument and its value
   */
  public static long check(String resourceId, String owner, Duration ttl) {
    check(resourceId, owner);
    if (ttl.isNegative() || ttl.isZero()) {
      throw ComponentException.invalidArgument("lock expiry is " + ttl.toMillis() + " ms, expected a positive duration");
    }
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw ComponentException.invalidArgument("lock expiry is " + ttl.toSeconds() + " s, expected at most "
          + MAX_TTL.toSeconds() + " s (one year)");
    }
    return Math.max(1, ttl.toMillis());
  }

  /** Checks the arguments of an unlock. */
  public static void check(String resourceId, String owner) {
    if (resourceId.isEmpty()) {
      throw ComponentException.invalidArgument("lock resource id is empty");
    }
    if (owner.isEmpty()) {
      throw ComponentException.invalidArgument("lock owner is empty (resource '" + resourceId + "')");
    }
  }
}
