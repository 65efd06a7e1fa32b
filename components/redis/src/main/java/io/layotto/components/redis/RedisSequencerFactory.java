package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Set;

/** Creates {@link RedisSequencer}s for sequencer components of type {@code redis}. */
public final class RedisSequencerFactory implements SequencerFactory {

  public static final String TYPE = "redis";
  private static final MetadataSchema SCHEMA = RedisSettings.connectionSchema().build();

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<SequencerFeature> capabilities() {
    return RedisSequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new RedisSequencer();
  }
}
