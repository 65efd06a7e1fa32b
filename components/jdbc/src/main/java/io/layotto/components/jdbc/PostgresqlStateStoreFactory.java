package io.layotto.components.jdbc;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Set;

/** Type {@code postgresql}: state in a PostgreSQL table (see {@link JdbcStateStore}). */
public final class PostgresqlStateStoreFactory implements StateStoreFactory {

  private static final SqlDialect DIALECT = new PostgresqlDialect();
  private static final MetadataSchema SCHEMA = JdbcStateStoreConfig.schema(DIALECT);

  @Override
  public String type() {
    return DIALECT.type();
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<StateFeature> capabilities() {
    return Set.of(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL);
  }

  @Override
  public StateStore create() {
    return new JdbcStateStore(DIALECT);
  }
}
