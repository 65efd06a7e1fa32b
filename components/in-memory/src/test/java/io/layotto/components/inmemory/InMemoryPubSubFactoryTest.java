package io.layotto.components.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class InMemoryPubSubFactoryTest {

  @Test
  void isDiscoveredByServiceLoaderUnderLayottoTypeName() {
    assertThat(ServiceLoader.load(PubSubFactory.class).stream().map(ServiceLoader.Provider::get))
        .filteredOn(factory -> factory.type().equals("in-memory"))
        .singleElement()
        .isInstanceOf(InMemoryPubSubFactory.class);
  }

  @Test
  void declaresOrderingBulkPublishAndTtlAndComponentsMatchIt() {
    PubSubFactory factory = new InMemoryPubSubFactory();
    assertThat(factory.capabilities()).containsExactlyInAnyOrder(
        PubSubFeature.ORDERING, PubSubFeature.BULK_PUBLISH, PubSubFeature.MESSAGE_TTL);
    try (PubSub pubSub = factory.create()) {
      assertThat(pubSub.features()).isEqualTo(factory.capabilities());
    }
  }

  @Test
  void schemaDeclaresTheBoundsWithDefaults() {
    MetadataSchema schema = new InMemoryPubSubFactory().metadataSchema();
    assertThat(schema.field("maxQueuedMessagesPerGroup")).hasValueSatisfying(field -> {
      assertThat(field.type()).isEqualTo(MetadataSchema.Type.INT);
      assertThat(field.defaultValue()).isEqualTo("100000");
    });
    assertThat(schema.field("redeliveryDelay")).hasValueSatisfying(field -> {
      assertThat(field.type()).isEqualTo(MetadataSchema.Type.DURATION);
      assertThat(field.defaultValue()).isEqualTo("100ms");
    });
    assertThat(schema.validate(Map.of("maxQueuedMessagesPerGroup", "many")))
        .singleElement().asString().contains("maxQueuedMessagesPerGroup").contains("many");
  }
}
