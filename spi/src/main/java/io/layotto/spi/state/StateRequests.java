package io.layotto.spi.state;

import io.layotto.spi.ComponentException;
import java.util.Map;
import java.util.OptionalLong;

/** Shared parsing of request-level metadata, so every store reads it the same way. */
public final class StateRequests {

  /** Request metadata key for per-item expiry, as in Dapr and Layotto. */
  public static final String TTL_IN_SECONDS = "ttlInSeconds";

  private StateRequests() {}

  /**
   * The {@code ttlInSeconds} of a request. Absent, or {@code -1} (Dapr's "never expire"), gives
   * empty. Zero, other negatives and non-numbers are rejected naming the key and value.
   */
  public static OptionalLong ttlSeconds(Map<String, String> metadata) {
    String raw = metadata.get(TTL_IN_SECONDS);
    if (raw == null || raw.isBlank()) {
      return OptionalLong.empty();
    }
    long ttl;
    try {
      ttl = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ComponentException.invalidArgument("metadata 'ttlInSeconds' is '" + raw + "', expected a whole number of seconds");
    }
    if (ttl == -1) {
      return OptionalLong.empty();
    }
    if (ttl <= 0 || ttl > Integer.MAX_VALUE) {
      throw ComponentException.invalidArgument("metadata 'ttlInSeconds' is '" + raw
          + "', expected a number of seconds from 1 to " + Integer.MAX_VALUE + ", or -1 for no expiry");
    }
    return OptionalLong.of(ttl);
  }
}
