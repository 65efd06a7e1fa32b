package io.layotto.runtime.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.components.inmemory.InMemoryLockStoreFactory;
import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.lock.LockStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code lock} entries: parsed, checked against their factories, started, reported. */
class LockLoadingTest {

  private final ComponentLoader loader = new ComponentLoader(
      ComponentFactories.of(List.of(), List.of(), List.of(new InMemoryLockStoreFactory())));

  private static RuntimeConfig config(String grpcConfig) {
    return ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig(grpcConfig));
  }

  @Test
  void locksAreStartedReportedAndPrefixedWithTheAppIdByDefault() {
    try (LoadedComponents components = loader.start(loader.plan(config("""
        {"app": {"app_id": "shop"},
         "lock": {"lock_demo": {"type": "in-memory", "metadata": {}},
                  "named": {"type": "in-memory", "metadata": {"keyPrefix": "Name"}}}}
        """)))) {
      assertThat(components.lockStoreNames()).containsExactly("lock_demo", "named");
      assertThat(components.lockKeyPrefix("lock_demo")).isEqualTo("appid");
      assertThat(components.lockKeyPrefix("named")).isEqualTo("name");
      assertThat(components.infos()).anySatisfy(i -> {
        assertThat(i.name()).isEqualTo("lock_demo");
        assertThat(i.block()).isEqualTo(BuildingBlock.LOCK);
        assertThat(i.type()).isEqualTo("in-memory");
        assertThat(i.capabilities()).containsExactly("keep_alive");
      });
      assertThat(components.all()).containsKeys("lock_demo", "named");
      var lock = components.lockStore("lock_demo").orElseThrow();
      assertThat(lock.tryLock("x", "o", Duration.ofSeconds(5))).isTrue();
      assertThat(lock.unlock("x", "o")).isEqualTo(LockStatus.SUCCESS);
    }
  }

  @Test
  void unknownTypesAndBadKeyPrefixesAreConfigErrorsWithPaths() {
    assertThatThrownBy(() -> loader.plan(config("""
        {"app": {"app_id": "a||b"},
         "lock": {"x": {"type": "zookeper"},
                  "y": {"type": "in-memory", "metadata": {"keyPrefix": "bad||prefix"}},
                  "z": {"type": "in-memory"}}}
        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lock.x.type: unknown lock type 'zookeper'; available: in-memory")
        .hasMessageContaining("lock.y.metadata.keyPrefix: is 'bad||prefix'")
        .hasMessageContaining("lock.z.metadata.keyPrefix: is 'appid', which resolves to 'a||b'");
  }

  @Test
  void unknownMetadataKeysAreWarnings() {
    var plan = loader.plan(config("{\"lock\": {\"l\": {\"type\": \"in-memory\", \"metadata\": {\"whatever\": \"1\"}}}}"));
    assertThat(plan.warnings()).singleElement().asString().contains("lock 'l'").contains("[whatever]");
  }
}
