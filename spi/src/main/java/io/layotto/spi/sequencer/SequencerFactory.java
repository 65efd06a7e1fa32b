package io.layotto.spi.sequencer;

import io.layotto.spi.ComponentFactory;
import java.util.Set;

/** Service-loaded factory of sequencers ({@code META-INF/services/io.layotto.spi.sequencer.SequencerFactory}). */
public interface SequencerFactory extends ComponentFactory<Sequencer> {

  @Override
  Set<SequencerFeature> capabilities();
}
