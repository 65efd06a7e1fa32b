package io.layotto.components.kafka;

import java.util.TreeSet;

/**
 * The records of one assigned partition that were fetched and not yet acked, and from them the offset
 * that is safe to commit: the first un-acked offset, or the one after the last fetched record when
 * every fetched record was acked. Committing it never skips a message the app has not taken, however
 * out of order the acks come. Used by the poll thread only.
 */
final class PartitionTracker {

  private static final long NONE = -1;

  private final TreeSet<Long> unacked = new TreeSet<>();
  private long afterLastFetched = NONE;
  private long lastSent = NONE;

  /** A record was fetched; it counts as un-acked until {@link #acked}. */
  void fetched(long offset) {
    unacked.add(offset);
    afterLastFetched = Math.max(afterLastFetched, offset + 1);
  }

  void acked(long offset) {
    unacked.remove(offset);
  }

  /** The offset after the last fetched record, or -1 while nothing was fetched. */
  long afterLastFetched() {
    return afterLastFetched;
  }

  /** The offset to commit, or -1 while nothing was fetched in this assignment. */
  long commitPoint() {
    return unacked.isEmpty() ? afterLastFetched : unacked.first();
  }

  /** True when {@link #commitPoint()} moved since the last commit sent. */
  boolean hasNewCommitPoint() {
    long point = commitPoint();
    return point != NONE && point != lastSent;
  }

  /** Remembers that {@code point} was sent for commit, so it is not sent again. */
  void sent(long point) {
    lastSent = point;
  }

  /** A commit failed: the current point is sent again next time. */
  void commitFailed(long point) {
    if (lastSent == point) {
      lastSent = NONE;
    }
  }

  int unackedCount() {
    return unacked.size();
  }
}
