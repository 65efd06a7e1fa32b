package io.layotto.components.etcd;

import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationConformance;
import io.layotto.spi.configuration.ConfigurationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The kit against a private etcd, with two store instances (subscriber and "another client"). */
class EtcdConfigurationConformanceTest extends ConfigurationConformance {

  private final PrivateEtcdServer server;

  EtcdConfigurationConformanceTest() {
    try {
      server = new PrivateEtcdServer();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void afterClose() {
    server.close();
  }

  @Override
  protected ConfigurationStore createStore() {
    ConfigurationStore store = new EtcdConfigurationStoreFactory().create();
    store.init(new Metadata("config_conformance", Map.of(EtcdSettings.ENDPOINTS, server.endpoint())));
    return store;
  }

  @Override
  protected ConfigurationStore createPeer() {
    return createStore();
  }
}
