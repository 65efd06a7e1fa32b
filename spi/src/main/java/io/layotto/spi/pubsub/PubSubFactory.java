package io.layotto.spi.pubsub;

import io.layotto.spi.ComponentFactory;
import java.util.Set;

/** Service-loaded factory of pub/sub components ({@code META-INF/services/io.layotto.spi.pubsub.PubSubFactory}). */
public interface PubSubFactory extends ComponentFactory<PubSub> {

  @Override
  Set<PubSubFeature> capabilities();
}
