package io.layotto.components.rabbitmq;

import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import java.util.Map;
import java.util.Set;

/** The pub/sub conformance kit against the shared RabbitMQ at 127.0.0.1:5672. */
class RabbitMqPubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    return RabbitMqTestSupport.openShared(Map.of());
  }

  /** Deletes the exchange of every topic and the queue of every topic/group pair the run created. */
  @Override
  protected void deleteCreated(PubSub pubSub, Set<String> topics, Set<String> groups) {
    try (RabbitMqTestSupport broker = new RabbitMqTestSupport()) {
      for (String topic : topics) {
        broker.track(topic, groups.toArray(String[]::new));
      }
    }
  }
}
