package io.layotto.components.redis;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import java.util.Set;

/** Creates {@link RedisConfigurationStore}s for config_store components of type {@code redis}. */
public final class RedisConfigurationStoreFactory implements ConfigurationStoreFactory {

  public static final String TYPE = "redis";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return RedisConfigurationStore.SCHEMA;
  }

  @Override
  public Set<ConfigurationFeature> capabilities() {
    return RedisConfigurationStore.FEATURES;
  }

  @Override
  public ConfigurationStore create() {
    return new RedisConfigurationStore();
  }
}
