package io.layotto.components.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionTrackerTest {

  @Test
  void nothingFetchedMeansNothingToCommit() {
    PartitionTracker tracker = new PartitionTracker();
    assertThat(tracker.commitPoint()).isEqualTo(-1);
    assertThat(tracker.hasNewCommitPoint()).isFalse();
  }

  @Test
  void commitPointStopsAtTheFirstUnackedOffset() {
    PartitionTracker tracker = new PartitionTracker();
    for (long offset = 10; offset < 15; offset++) {
      tracker.fetched(offset);
    }
    assertThat(tracker.commitPoint()).isEqualTo(10);
    tracker.acked(11);
    tracker.acked(13);
    tracker.acked(14);
    assertThat(tracker.commitPoint()).as("10 is not acked: nothing past it may be committed").isEqualTo(10);
    tracker.acked(10);
    assertThat(tracker.commitPoint()).isEqualTo(12);
    tracker.acked(12);
    assertThat(tracker.commitPoint()).as("all acked: after the last fetched").isEqualTo(15);
    assertThat(tracker.unackedCount()).isZero();
  }

  @Test
  void gapsInOffsetsAreSkipped() {
    PartitionTracker tracker = new PartitionTracker();
    tracker.fetched(3);
    tracker.fetched(7); // 4-6: transaction markers or compacted away
    tracker.acked(3);
    assertThat(tracker.commitPoint()).isEqualTo(7);
    tracker.acked(7);
    assertThat(tracker.commitPoint()).isEqualTo(8);
  }

  @Test
  void aSentPointIsNotSentAgainUnlessItsCommitFailed() {
    PartitionTracker tracker = new PartitionTracker();
    tracker.fetched(0);
    tracker.acked(0);
    assertThat(tracker.hasNewCommitPoint()).isTrue();
    tracker.sent(1);
    assertThat(tracker.hasNewCommitPoint()).isFalse();
    tracker.commitFailed(1);
    assertThat(tracker.hasNewCommitPoint()).isTrue();
    tracker.sent(1);
    tracker.fetched(1);
    tracker.commitFailed(0); // an older commit's failure does not matter
    assertThat(tracker.hasNewCommitPoint()).isFalse();
    tracker.acked(1);
    assertThat(tracker.hasNewCommitPoint()).isTrue();
  }
}
