package io.layotto.components.snowflake;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Set;

/** Creates {@link SnowflakeSequencer}s, Layotto's sequencer type {@code snowflake}. */
public final class SnowflakeSequencerFactory implements SequencerFactory {

  public static final String TYPE = "snowflake";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SnowflakeSettings.SCHEMA;
  }

  @Override
  public Set<SequencerFeature> capabilities() {
    return SnowflakeSequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new SnowflakeSequencer();
  }
}
