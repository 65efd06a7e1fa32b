package io.layotto.components.rabbitmq;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link RabbitMqPubSub}s for components of type {@code rabbitmq} (Dapr's and Layotto's name). */
public final class RabbitMqPubSubFactory implements PubSubFactory {

  public static final String TYPE = "rabbitmq";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return RabbitMqSettings.SCHEMA;
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return RabbitMqPubSub.FEATURES;
  }

  @Override
  public PubSub create() {
    return new RabbitMqPubSub();
  }
}
