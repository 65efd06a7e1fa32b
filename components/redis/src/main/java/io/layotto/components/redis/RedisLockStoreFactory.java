package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/** Creates {@link RedisLockStore}s for lock components of type {@code redis} (one Redis server). */
public final class RedisLockStoreFactory implements LockStoreFactory {

  public static final String TYPE = "redis";
  static final MetadataSchema SCHEMA = RedisSettings.connectionSchema().build();

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<LockFeature> capabilities() {
    return RedisLockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new RedisLockStore();
  }
}
