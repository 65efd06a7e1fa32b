package io.layotto.components.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against the in-memory sequencer (no shared backend). */
class InMemorySequencerConformanceTest extends SequencerConformance {

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    Sequencer sequencer = new InMemorySequencerFactory().create();
    sequencer.init(new Metadata("sequencer_conformance", Map.of()), biggerThan);
    return sequencer;
  }

  @Test
  void factoryDeclaresWhatTheComponentDoes() {
    InMemorySequencerFactory factory = new InMemorySequencerFactory();
    assertThat(factory.type()).isEqualTo("in-memory");
    assertThat(factory.capabilities()).isEqualTo(sequencer().features());
    assertThat(factory.metadataSchema().fields()).isEmpty();
  }
}
