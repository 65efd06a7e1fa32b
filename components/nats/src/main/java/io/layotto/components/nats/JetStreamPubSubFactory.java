package io.layotto.components.nats;

import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link JetStreamPubSub}s for components of type {@code jetstream} (Dapr's name). */
public class JetStreamPubSubFactory implements PubSubFactory {

  public static final String TYPE = "jetstream";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public final MetadataSchema metadataSchema() {
    return JetStreamSettings.SCHEMA;
  }

  @Override
  public final Set<PubSubFeature> capabilities() {
    return JetStreamPubSub.FEATURES;
  }

  @Override
  public final PubSub create() {
    return new JetStreamPubSub();
  }
}
