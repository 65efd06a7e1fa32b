package io.layotto.components.inmemory;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import java.util.Set;

/** Creates {@link InMemoryConfigurationStore}s, Layotto's config_store type {@code in-memory}. */
public final class InMemoryConfigurationStoreFactory implements ConfigurationStoreFactory {

  public static final String TYPE = "in-memory";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.empty();
  }

  @Override
  public Set<ConfigurationFeature> capabilities() {
    return InMemoryConfigurationStore.FEATURES;
  }

  @Override
  public ConfigurationStore create() {
    return new InMemoryConfigurationStore();
  }
}
