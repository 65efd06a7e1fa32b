package io.layotto.components.inmemory;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link InMemoryPubSub}s, Layotto's pub/sub type {@code in-memory}. */
public final class InMemoryPubSubFactory implements PubSubFactory {

  public static final String TYPE = "in-memory";

  private static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .optional(InMemoryPubSub.MAX_QUEUED_MESSAGES_PER_GROUP, MetadataSchema.Type.INT,
          Integer.toString(InMemoryPubSub.DEFAULT_MAX_QUEUED_MESSAGES_PER_GROUP),
          "most messages one consumer group holds (queued or being handled); publishing beyond fails with "
              + "RESOURCE_EXHAUSTED")
      .optional(InMemoryPubSub.REDELIVERY_DELAY, MetadataSchema.Type.DURATION,
          InMemoryPubSub.DEFAULT_REDELIVERY_DELAY.toMillis() + "ms",
          "wait before a message whose handler failed is delivered again (a bare number is milliseconds)")
      .build();

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return InMemoryPubSub.FEATURES;
  }

  @Override
  public PubSub create() {
    return new InMemoryPubSub();
  }
}
