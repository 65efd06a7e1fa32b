package io.layotto.components.inmemory;

import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.util.Map;

class InMemoryLockStoreConformanceTest extends LockStoreConformance {

  @Override
  protected LockStore createStore() {
    LockStore store = new InMemoryLockStoreFactory().create();
    store.init(new Metadata("lock_conformance", Map.of()));
    return store;
  }

  /** In-process and fast: more rounds make overlaps likelier to show. */
  @Override
  protected int mutualExclusionRounds() {
    return 500;
  }
}
