package io.layotto.spi.lock;

/** Outcome of an unlock or keep-alive, numbered as Layotto's {@code UnlockResponse.Status}. */
public enum LockStatus {
  /** The owner held the lock; it is now released (unlock) or extended (keep-alive). */
  SUCCESS,
  /** No live lock on the resource: never taken, released, or expired. */
  LOCK_UNEXIST,
  /** The resource is locked by another owner; nothing was changed. */
  LOCK_BELONG_TO_OTHERS
}
