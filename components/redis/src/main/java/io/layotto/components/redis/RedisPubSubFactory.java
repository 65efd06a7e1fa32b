package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link RedisPubSub}s (Redis Streams) for pub/sub components of type {@code redis}. */
public final class RedisPubSubFactory implements PubSubFactory {

  public static final String TYPE = "redis";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return RedisStreamsSettings.SCHEMA;
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return RedisPubSub.FEATURES;
  }

  @Override
  public PubSub create() {
    return new RedisPubSub();
  }
}
