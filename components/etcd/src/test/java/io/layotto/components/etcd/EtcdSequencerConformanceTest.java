package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against a private etcd started for this class, and its group commit. */
class EtcdSequencerConformanceTest extends SequencerConformance {

  private final PrivateEtcdServer etcd = EtcdLockStoreConformanceTest.startedEtcd();

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    EtcdSequencer sequencer = new EtcdSequencer();
    sequencer.init(EtcdLockStoreConformanceTest.metadata(etcd, Map.of()), biggerThan);
    return sequencer;
  }

  /**
   * Calls in flight together share transactions: etcd's revision, which every write raises by one,
   * moves far less than once per id, and the ids are still 1..n without a gap.
   */
  @Test
  void concurrentCallsOfOneKeyShareTransactions() throws Exception {
    EtcdSequencer sequencer = (EtcdSequencer) sequencer();
    String key = key("group-commit");
    int calls = 500;
    try (Client client = Client.builder().endpoints("http://" + etcd.endpoint()).build()) {
      ByteSequence probe = ByteSequence.from("/probe", StandardCharsets.UTF_8);
      long before = client.getKVClient().get(probe).get(10, TimeUnit.SECONDS).getHeader().getRevision();
      List<CompletableFuture<Long>> inFlight = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        inFlight.add(sequencer.nextIdAsync(key));
      }
      List<Long> ids = new ArrayList<>();
      for (CompletableFuture<Long> id : inFlight) {
        ids.add(id.get(30, TimeUnit.SECONDS));
      }
      long after = client.getKVClient().get(probe).get(10, TimeUnit.SECONDS).getHeader().getRevision();

      assertThat(ids).as("ids in call order").isSorted().doesNotHaveDuplicates().hasSize(calls);
      assertThat(ids.getFirst()).isEqualTo(1);
      assertThat(ids.getLast()).isEqualTo(calls);
      assertThat(after - before).as("etcd writes for %d ids", calls).isPositive().isLessThan(calls / 5);
    }
  }

  @AfterAll
  void stopEtcd() {
    etcd.close();
  }
}
