package io.layotto.components.etcd;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import java.util.Set;

/** Creates {@link EtcdSequencer}s for sequencer components of type {@code etcd}. */
public final class EtcdSequencerFactory implements SequencerFactory {

  public static final String TYPE = "etcd";
  private static final MetadataSchema SCHEMA = EtcdSession.schema(EtcdSequencer.DEFAULT_PREFIX);

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
    return EtcdSequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new EtcdSequencer();
  }
}
