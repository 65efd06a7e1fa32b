package io.layotto.runtime.testing;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Set;

/** Type {@code test-loop-probe}. */
public final class LoopProbeStateStoreFactory implements StateStoreFactory {

  @Override
  public String type() {
    return "test-loop-probe";
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder()
        .optional("probe", MetadataSchema.Type.STRING, null, "key under which tests find the lent loops")
        .build();
  }

  @Override
  public Set<StateFeature> capabilities() {
    return Set.of();
  }

  @Override
  public StateStore create() {
    return new LoopProbeStateStore();
  }
}
