package io.layotto.runtime.testing;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Set;

/** Type {@code test-fake}: all metadata optional. */
public final class FakeStateStoreFactory implements StateStoreFactory {

  @Override
  public String type() {
    return "test-fake";
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder()
        .optional("probe", MetadataSchema.Type.STRING, null, "key under which tests find this store")
        .optional("failInit", MetadataSchema.Type.BOOL, "false", "make init fail")
        .build();
  }

  @Override
  public Set<StateFeature> capabilities() {
    return Set.of(StateFeature.ETAG, StateFeature.TTL);
  }

  @Override
  public StateStore create() {
    return new FakeStateStore();
  }
}
