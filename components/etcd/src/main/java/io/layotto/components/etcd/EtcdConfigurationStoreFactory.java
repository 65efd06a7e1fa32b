package io.layotto.components.etcd;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import java.util.Set;

/** Creates {@link EtcdConfigurationStore}s for config_store components of type {@code etcd}. */
public final class EtcdConfigurationStoreFactory implements ConfigurationStoreFactory {

  public static final String TYPE = "etcd";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return EtcdSettings.SCHEMA;
  }

  @Override
  public Set<ConfigurationFeature> capabilities() {
    return EtcdConfigurationStore.FEATURES;
  }

  @Override
  public ConfigurationStore create() {
    return new EtcdConfigurationStore();
  }
}
