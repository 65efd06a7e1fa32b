package io.layotto.components.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RabbitMqPubSubFactoryTest {

  @Test
  void isServiceLoadedUnderDaprsTypeName() {
    assertThat(ServiceLoader.load(PubSubFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("rabbitmq")).toList())
        .singleElement().isInstanceOf(RabbitMqPubSubFactory.class);
  }

  @Test
  void declaresTtlAndBulkPublishButNotOrdering() {
    RabbitMqPubSubFactory factory = new RabbitMqPubSubFactory();
    assertThat(factory.capabilities()).containsExactlyInAnyOrder(PubSubFeature.MESSAGE_TTL, PubSubFeature.BULK_PUBLISH);
    assertThat(factory.create().features()).isEqualTo(factory.capabilities());
  }

  @Test
  void schemaDocumentsDaprsKeys() {
    MetadataSchema schema = new RabbitMqPubSubFactory().metadataSchema();
    assertThat(schema.fields()).extracting(MetadataSchema.Field::name).contains("host", "consumerID", "durable",
        "deletedWhenUnused", "autoAck", "deliveryMode", "requeueInFailure", "prefetchCount", "maxLen", "maxLenBytes",
        "exchangeKind", "publisherConfirm", "reconnectWait", "enableDeadLetter");
    assertThat(schema.validate(java.util.Map.of("host", "amqp://h", "exchangeKind", "headers")))
        .singleElement().asString().contains("exchangeKind");
  }
}
