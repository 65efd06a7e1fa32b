package io.layotto.components.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JetStreamPubSubFactoryTest {

  @Test
  void bothTypesAreServiceLoadedAndShareTheImplementation() {
    Map<String, PubSubFactory> byType = ServiceLoader.load(PubSubFactory.class).stream()
        .map(ServiceLoader.Provider::get)
        .collect(Collectors.toMap(PubSubFactory::type, Function.identity()));
    assertThat(byType).containsKeys("jetstream", "nats");
    for (String type : new String[] {"jetstream", "nats"}) {
      PubSubFactory factory = byType.get(type);
      assertThat(factory.create()).isInstanceOf(JetStreamPubSub.class);
      assertThat(factory.metadataSchema()).isSameAs(JetStreamSettings.SCHEMA);
      assertThat(factory.capabilities()).isEqualTo(factory.create().features())
          .containsExactly(PubSubFeature.BULK_PUBLISH);
    }
  }
}
