package io.layotto.components.inmemory;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Set;

/** Creates {@link InMemorySequencer}s, Layotto's sequencer type {@code in-memory}. */
public final class InMemorySequencerFactory implements SequencerFactory {

  public static final String TYPE = "in-memory";

  @Override
  public String type() {
    return TYPE;
  }

  /** The sequencer reads no metadata. */
  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.empty();
  }

  @Override
  public Set<SequencerFeature> capabilities() {
    return InMemorySequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new InMemorySequencer();
  }
}
