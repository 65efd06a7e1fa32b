package io.layotto.components.inmemory;

import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationConformance;
import io.layotto.spi.configuration.ConfigurationStore;
import java.util.Map;

class InMemoryConfigurationConformanceTest extends ConfigurationConformance {

  @Override
  protected ConfigurationStore createStore() {
    ConfigurationStore store = new InMemoryConfigurationStoreFactory().create();
    store.init(new Metadata("config_conformance", Map.of()));
    return store;
  }
}
