package io.layotto.spi.lock;

import io.layotto.spi.ComponentFactory;
import java.util.Set;

/** Service-loaded factory of lock stores ({@code META-INF/services/io.layotto.spi.lock.LockStoreFactory}). */
public interface LockStoreFactory extends ComponentFactory<LockStore> {

  @Override
  Set<LockFeature> capabilities();
}
