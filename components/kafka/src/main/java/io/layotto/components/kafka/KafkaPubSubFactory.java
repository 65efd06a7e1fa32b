package io.layotto.components.kafka;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link KafkaPubSub}s for components of type {@code kafka} (Dapr's {@code pubsub.kafka}). */
public final class KafkaPubSubFactory implements PubSubFactory {

  public static final String TYPE = "kafka";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return KafkaSettings.SCHEMA;
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return KafkaPubSub.FEATURES;
  }

  @Override
  public PubSub create() {
    return new KafkaPubSub();
  }
}
