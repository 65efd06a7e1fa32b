package io.layotto.components.zookeeper;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/** Creates {@link ZookeeperLockStore}s for lock components of type {@code zookeeper}. */
public final class ZookeeperLockStoreFactory implements LockStoreFactory {

  public static final String TYPE = "zookeeper";
  private static final MetadataSchema SCHEMA = ZookeeperSettings.schemaBuilder(ZookeeperLockStore.DEFAULT_BASE_PATH)
      .optional(ZookeeperLockStore.MAX_CONCURRENT_CALLS, MetadataSchema.Type.INT,
          Integer.toString(ZookeeperLockStore.DEFAULT_MAX_CONCURRENT_CALLS),
          "most lock calls of this sidecar working on ZooKeeper at once; the others wait their turn (1.."
              + ZookeeperLockStore.MOST_CONCURRENT_CALLS + ")")
      .build();

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
    return ZookeeperLockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new ZookeeperLockStore();
  }
}
