package io.layotto.components.inmemory;

import io.layotto.spi.Metadata;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreConformance;
import java.util.Map;

class InMemoryStateStoreConformanceTest extends StateStoreConformance {

  @Override
  protected StateStore createStore() {
    StateStore store = new InMemoryStateStoreFactory().create();
    store.init(new Metadata("state_conformance", Map.of()));
    return store;
  }

  /** The store is in-process and fast: more increments give the CAS loop a harder time. */
  @Override
  protected int incrementsPerParallelWriter() {
    return 50;
  }
}
