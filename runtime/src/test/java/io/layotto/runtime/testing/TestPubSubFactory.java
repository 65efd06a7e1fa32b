package io.layotto.runtime.testing;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Type {@code test-pubsub}: {@link TestPubSub}; remembers the instances it created. */
public final class TestPubSubFactory implements PubSubFactory {

  public final List<TestPubSub> created = new ArrayList<>();

  @Override
  public String type() {
    return "test-pubsub";
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder()
        .optional("consumerID", MetadataSchema.Type.STRING, null, "consumer group")
        .optional("failPublish", MetadataSchema.Type.BOOL, "false", "make every publish fail (UNAVAILABLE)")
        .build();
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return Set.of();
  }

  @Override
  public synchronized PubSub create() {
    TestPubSub pubSub = new TestPubSub();
    created.add(pubSub);
    return pubSub;
  }

  public synchronized List<TestPubSub> created() {
    return new ArrayList<>(created);
  }
}
