package io.layotto.components.etcd;

import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The sequencer conformance kit against a private etcd started for this class. */
class EtcdSequencerConformanceTest extends SequencerConformance {

  private final PrivateEtcdServer etcd = EtcdLockStoreConformanceTest.startedEtcd();

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    EtcdSequencer sequencer = new EtcdSequencer();
    sequencer.init(EtcdLockStoreConformanceTest.metadata(etcd, Map.of()), biggerThan);
    return sequencer;
  }

  @AfterAll
  void stopEtcd() {
    etcd.close();
  }
}
