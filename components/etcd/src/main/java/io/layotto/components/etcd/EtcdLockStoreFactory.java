package io.layotto.components.etcd;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/** Creates {@link EtcdLockStore}s for lock components of type {@code etcd}. */
public final class EtcdLockStoreFactory implements LockStoreFactory {

  public static final String TYPE = "etcd";
  private static final MetadataSchema SCHEMA = EtcdSession.schema(EtcdLockStore.DEFAULT_PREFIX);

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
    return EtcdLockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new EtcdLockStore();
  }
}
