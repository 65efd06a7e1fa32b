package io.layotto.spi.state;

/** Optional capabilities a state store declares; the conformance kit tests exactly these. */
public enum StateFeature {
  /** Writes return etags and honour them (optimistic concurrency, first-write). */
  ETAG,
  /** {@link StateStore#transact} is atomic: all operations apply or none. */
  TRANSACTIONAL,
  /** Per-item expiry through the {@code ttlInSeconds} request metadata. */
  TTL
}
