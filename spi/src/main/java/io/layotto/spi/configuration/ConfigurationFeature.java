package io.layotto.spi.configuration;

/** Optional capabilities a configuration store declares; the conformance kit tests exactly these. */
public enum ConfigurationFeature {
  /** Tags are saved with an item and returned with it (otherwise they are accepted and dropped). */
  TAGS,
  /** Every item carries a version that changes on every save (Dapr's {@code ConfigurationItem.version}). */
  VERSIONS
}
