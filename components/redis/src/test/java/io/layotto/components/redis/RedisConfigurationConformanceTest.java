package io.layotto.components.redis;

import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationConformance;
import io.layotto.spi.configuration.ConfigurationStore;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The kit against the shared Redis, two store instances (subscriber and "another client"), a key
 * prefix of this run. The store adds keyspace-notification flags to the shared server; the setting
 * found before is put back afterwards.
 */
class RedisConfigurationConformanceTest extends ConfigurationConformance {

  private static final String PREFIX = "conf-test-" + UUID.randomUUID().toString().substring(0, 8) + "||";
  private static final Map<String, String> METADATA = Map.of(RedisSettings.REDIS_HOST, RedisTestSupport.SHARED_REDIS,
      RedisConfigurationStore.KEY_PREFIX, PREFIX);

  private static KeyspaceSetting original;

  @BeforeAll
  static void rememberKeyspaceSetting() {
    original = KeyspaceSetting.read(RedisTestSupport.SHARED_REDIS);
  }

  @AfterAll
  static void restoreKeyspaceSetting() {
    original.restore();
  }

  @Override
  protected ConfigurationStore createStore() {
    ConfigurationStore store = new RedisConfigurationStoreFactory().create();
    store.init(new Metadata("config_conformance", METADATA));
    return store;
  }

  @Override
  protected ConfigurationStore createPeer() {
    return createStore();
  }
}
