package io.layotto.runtime.testing;

import io.layotto.runtime.component.ComponentFactories;
import io.layotto.runtime.component.ComponentLoader;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.RuntimeConfig;
import java.util.List;

/** Components loaded from a {@code grpc_config} text with the {@code test-pubsub} type available. */
public final class PubSubFixture {

  private PubSubFixture() {}

  public static RuntimeConfig config(String grpcConfig) {
    return ConfigLoader.parse("test.json", TestConfigs.withGrpcConfig(grpcConfig));
  }

  public static ComponentFactories factories(TestPubSubFactory factory) {
    return ComponentFactories.of(List.of(new FakeStateStoreFactory()), List.of(factory));
  }

  public static LoadedComponents load(String grpcConfig, TestPubSubFactory factory) {
    ComponentLoader loader = new ComponentLoader(factories(factory));
    return loader.start(loader.plan(config(grpcConfig)));
  }
}
