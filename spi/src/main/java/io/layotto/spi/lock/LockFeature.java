package io.layotto.spi.lock;

/** Optional capabilities a lock store declares; the conformance kit tests exactly these. */
public enum LockFeature {
  /** {@link LockStore#keepAlive} extends a held lock's time-to-live for its owner. */
  KEEP_ALIVE
}
