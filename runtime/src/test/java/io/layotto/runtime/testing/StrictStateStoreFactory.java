package io.layotto.runtime.testing;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.List;
import java.util.Set;

/** Type {@code test-strict}: a required key, an integer and an enum, for validation tests. */
public final class StrictStateStoreFactory implements StateStoreFactory {

  private final String type;

  public StrictStateStoreFactory() {
    this("test-strict");
  }

  public StrictStateStoreFactory(String type) {
    this.type = type;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder()
        .required("endpoint", MetadataSchema.Type.STRING, "host:port of the backend")
        .optional("poolSize", MetadataSchema.Type.INT, "8", "connections")
        .oneOf("mode", "fast", List.of("fast", "safe"), "write mode")
        .build();
  }

  @Override
  public Set<StateFeature> capabilities() {
    return Set.of();
  }

  @Override
  public StateStore create() {
    return new FakeStateStore();
  }
}
