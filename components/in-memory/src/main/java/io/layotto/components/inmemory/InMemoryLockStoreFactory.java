package io.layotto.components.inmemory;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import java.util.Set;

/** Creates {@link InMemoryLockStore}s, Layotto's lock type {@code in-memory}. */
public final class InMemoryLockStoreFactory implements LockStoreFactory {

  public static final String TYPE = "in-memory";

  @Override
  public String type() {
    return TYPE;
  }

  /** The store reads no metadata. */
  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.empty();
  }

  @Override
  public Set<LockFeature> capabilities() {
    return InMemoryLockStore.FEATURES;
  }

  @Override
  public LockStore create() {
    return new InMemoryLockStore();
  }
}
