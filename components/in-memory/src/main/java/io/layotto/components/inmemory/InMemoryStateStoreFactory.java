package io.layotto.components.inmemory;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Set;

/** Creates {@link InMemoryStateStore}s, Layotto's state type {@code in-memory}. */
public final class InMemoryStateStoreFactory implements StateStoreFactory {

  public static final String TYPE = "in-memory";

  @Override
  public String type() {
    return TYPE;
  }

  /** The store reads no metadata. */
  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.empty();
  }

  @Override
  public Set<StateFeature> capabilities() {
    return InMemoryStateStore.FEATURES;
  }

  @Override
  public StateStore create() {
    return new InMemoryStateStore();
  }
}
