package io.layotto.components.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreFactoryTest {

  @Test
  void isDiscoveredByServiceLoaderUnderLayottoTypeName() {
    assertThat(ServiceLoader.load(StateStoreFactory.class).stream().map(ServiceLoader.Provider::get))
        .filteredOn(factory -> factory.type().equals("in-memory"))
        .singleElement()
        .isInstanceOf(InMemoryStateStoreFactory.class);
  }

  @Test
  void declaresEtagTransactionsAndTtlAndStoresMatchIt() {
    StateStoreFactory factory = new InMemoryStateStoreFactory();
    assertThat(factory.capabilities())
        .containsExactlyInAnyOrder(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL);
    try (StateStore store = factory.create()) {
      assertThat(store.features()).isEqualTo(factory.capabilities());
    }
  }

  @Test
  void readsNoMetadata() {
    assertThat(new InMemoryStateStoreFactory().metadataSchema().fields()).isEmpty();
  }
}
