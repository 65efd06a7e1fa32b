package io.layotto.components.jdbc;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Set;

/** Sequencer type {@code mysql}: ids from a segment allocation table (see {@link JdbcSequencer}). */
public final class MysqlSequencerFactory implements SequencerFactory {

  private static final SqlDialect DIALECT = new MysqlDialect();
  private static final MetadataSchema SCHEMA = JdbcSequencer.schema(DIALECT);

  @Override
  public String type() {
    return DIALECT.type();
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<SequencerFeature> capabilities() {
    return JdbcSequencer.FEATURES;
  }

  @Override
  public Sequencer create() {
    return new JdbcSequencer(DIALECT);
  }
}
