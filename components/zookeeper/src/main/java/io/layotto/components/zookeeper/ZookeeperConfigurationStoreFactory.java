package io.layotto.components.zookeeper;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import java.util.Set;

/** Creates {@link ZookeeperConfigurationStore}s for config_store components of type {@code zookeeper}. */
public final class ZookeeperConfigurationStoreFactory implements ConfigurationStoreFactory {

  public static final String TYPE = "zookeeper";
  private static final MetadataSchema SCHEMA =
      ZookeeperSettings.schema(ZookeeperConfigurationStore.DEFAULT_BASE_PATH);

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<ConfigurationFeature> capabilities() {
    return ZookeeperConfigurationStore.FEATURES;
  }

  @Override
  public ConfigurationStore create() {
    return new ZookeeperConfigurationStore();
  }
}
