package io.layotto.spi.configuration;

import io.layotto.spi.ComponentFactory;
import java.util.Set;

/**
 * Service-loaded factory of configuration stores
 * ({@code META-INF/services/io.layotto.spi.configuration.ConfigurationStoreFactory}).
 */
public interface ConfigurationStoreFactory extends ComponentFactory<ConfigurationStore> {

  @Override
  Set<ConfigurationFeature> capabilities();
}
