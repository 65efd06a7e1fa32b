package io.layotto.components.zookeeper;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Set;

/** Creates {@link ZookeeperSequencer}s for sequencer components of type {@code zookeeper}. */
public final class ZookeeperSequencerFactory implements SequencerFactory {

  public static final String TYPE = "zookeeper";
  private static final MetadataSchema SCHEMA = ZookeeperSettings.schema(ZookeeperSequencer.DEFAULT_BASE_PATH);

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
    return ZookeeperSequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new ZookeeperSequencer();
  }
}
