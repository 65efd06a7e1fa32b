package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Field;
import io.layotto.spi.MetadataSchema.Type;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/**
 * Creates {@link RedlockStore}s for lock components of type {@code redis_cluster}: Layotto's name
 * for its Redlock over independent Redis masters listed in {@code redisHosts}.
 */
public final class RedlockStoreFactory implements LockStoreFactory {

  public static final String TYPE = "redis_cluster";
  public static final String REDIS_HOSTS = "redisHosts";
  public static final String CONCURRENCY = "concurrency";

  static final MetadataSchema SCHEMA = schema();

  private static MetadataSchema schema() {
    MetadataSchema.Builder b = MetadataSchema.builder()
        .required(REDIS_HOSTS, Type.STRING,
            "comma-separated host:port of the independent Redis masters, e.g. 10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379");
    // every connection key of a single Redis applies to each node, except its one address
    for (Field f : RedisSettings.connectionSchema().build().fields()) {
      if (!f.name().equals(RedisSettings.REDIS_HOST)) {
        b.optional(f.name(), f.type(), f.defaultValue(), f.description() + " (each node)");
      }
    }
    return b.optional(CONCURRENCY, Type.INT, null,
            "Layotto's worker pool size; accepted and ignored: the nodes are always asked concurrently")
        .build();
  }

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
    return RedlockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new RedlockStore();
  }
}
