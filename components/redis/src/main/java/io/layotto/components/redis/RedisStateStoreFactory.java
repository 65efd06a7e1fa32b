package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Set;

/** Creates {@link RedisStateStore}s for components of type {@code redis}. */
public final class RedisStateStoreFactory implements StateStoreFactory {

  public static final String TYPE = "redis";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return RedisSettings.SCHEMA;
  }

  @Override
  public Set<StateFeature> capabilities() {
    return RedisStateStore.FEATURES;
  }

  @Override
  public StateStore create() {
    return new RedisStateStore();
  }
}
