package io.layotto.runtime.testing;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Type {@code test-inline}. */
public final class InlinePubSubFactory implements PubSubFactory {

  @Override
  public String type() {
    return "test-inline";
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder().build();
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return Set.of();
  }

  @Override
  public PubSub create() {
    return new InlinePubSub();
  }
}
