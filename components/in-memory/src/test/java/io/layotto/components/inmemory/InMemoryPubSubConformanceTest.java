package io.layotto.components.inmemory;

import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import java.time.Duration;
import java.util.Map;

class InMemoryPubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    PubSub pubSub = new InMemoryPubSubFactory().create();
    pubSub.init(new Metadata("pubsub_conformance", Map.of()));
    return pubSub;
  }

  /** Failed messages come back after the 100 ms redelivery delay; nothing slower to wait for. */
  @Override
  protected Duration redeliveryTimeout() {
    return Duration.ofSeconds(5);
  }
}
