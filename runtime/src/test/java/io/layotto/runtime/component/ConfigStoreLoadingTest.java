package io.layotto.runtime.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.runtime.testing.TestConfigurationStoreFactory;
import io.layotto.spi.BuildingBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** config_store entries: matched with factories, validated, started, reported and closed. */
class ConfigStoreLoadingTest {

  private final TestConfigurationStoreFactory factory = new TestConfigurationStoreFactory();
  private final ComponentLoader loader = new ComponentLoader(ComponentFactories.of(List.of())
      .withConfigurationStores(List.of(factory)));

  @Test
  void unknownTypeAndBadMetadataAreReportedWithTheirPaths() {
    assertThatThrownBy(() -> loader.plan(ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"config_store": {"a": {"type": "zookeeper"}, "b": {"type": "test-config", "metadata": {"failWith": ""}}}}
        """))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config_store.a.type: unknown config_store type 'zookeeper'; available: test-config");
  }

  @Test
  void startedStoresAreListedWithTheirCapabilitiesAndClosedInTheEnd() {
    LoadedComponents components = loader.start(loader.plan(ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"config_store": {"cfg": {"type": "test-config", "metadata": {"unknownKey": "x"}}}}
        """))));

    assertThat(components.configurationStoreNames()).containsExactly("cfg");
    assertThat(components.all()).containsKey("cfg");
    assertThat(components.infos()).singleElement().satisfies(info -> {
      assertThat(info.block()).isEqualTo(BuildingBlock.CONFIGURATION);
      assertThat(info.type()).isEqualTo("test-config");
      assertThat(info.capabilities()).containsExactlyInAnyOrder("tags", "versions");
    });
    components.close();
  }

  @Test
  void aStoreThatFailsToStartClosesTheOthers() {
    var plan = loader.plan(ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"config_store": {"ok": {"type": "test-config"}, "bad": {"type": "test-config", "metadata": {"failWith": "NOPE"}}}}
        """)));

    assertThatThrownBy(() -> loader.start(plan)).isInstanceOf(ComponentInitException.class)
        .hasMessageContaining("config_store 'bad' (type test-config) failed to initialise");
  }
}
