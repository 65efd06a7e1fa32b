package io.layotto.spi.configuration;

/**
 * Receives a subscription's changes, one call per changed item ({@link ConfigurationItem#isDeleted()}
 * for a deletion), in change order and never concurrently for one subscription. Called from the
 * component's threads: it must return quickly and must not call back into the store.
 */
@FunctionalInterface
public interface ConfigurationListener {

  void onChange(ConfigurationItem item);
}
