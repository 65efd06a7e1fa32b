package io.layotto.components.jdbc;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/** Lock type {@code mysql}: locks as rows of a MySQL/MariaDB table (see {@link JdbcLockStore}). */
public final class MysqlLockStoreFactory implements LockStoreFactory {

  private static final SqlDialect DIALECT = new MysqlDialect();
  private static final MetadataSchema SCHEMA = JdbcLockStore.schema(DIALECT);

  @Override
  public String type() {
    return DIALECT.type();
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<LockFeature> capabilities() {
    return JdbcLockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new JdbcLockStore(DIALECT);
  }
}
