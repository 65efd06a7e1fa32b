package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStoreFactory;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RedisStateStoreFactoryTest {

  @Test
  void theFactoryIsFoundByServiceLoaderUnderTypeRedis() {
    StateStoreFactory factory = ServiceLoader.load(StateStoreFactory.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("redis"))
        .findFirst().orElseThrow();
    assertThat(factory).isInstanceOf(RedisStateStoreFactory.class);
    assertThat(factory.capabilities())
        .containsExactlyInAnyOrder(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL);
    assertThat(factory.metadataSchema().field("redisHost")).isPresent();
    try (var store = factory.create()) {
      assertThat(store.features()).isEqualTo(factory.capabilities());
    }
  }
}
