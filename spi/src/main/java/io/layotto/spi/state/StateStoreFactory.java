package io.layotto.spi.state;

import io.layotto.spi.ComponentFactory;
import java.util.Set;

/** Service-loaded factory of state stores ({@code META-INF/services/io.layotto.spi.state.StateStoreFactory}). */
public interface StateStoreFactory extends ComponentFactory<StateStore> {

  @Override
  Set<StateFeature> capabilities();
}
