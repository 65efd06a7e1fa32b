package io.layotto.components.nats;

import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import java.util.Map;
import java.util.Set;

/** The pub/sub conformance kit against the shared NATS server with JetStream. */
class JetStreamPubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    PubSub pubSub = new JetStreamPubSubFactory().create();
    pubSub.init(new Metadata("pubsub_conformance", Map.of(
        JetStreamSettings.NATS_URL, NatsTestSupport.SHARED_URL,
        JetStreamSettings.NAK_DELAY, "100ms",
        ConsumerSettings.ACK_WAIT, "10s")));
    return pubSub;
  }

  /** Deleting a topic's stream also deletes its durable consumers. */
  @Override
  protected void deleteCreated(PubSub pubSub, Set<String> topics, Set<String> groups) {
    try (Connection connection = Nats.connect(NatsTestSupport.SHARED_URL)) {
      JetStreamManagement management = connection.jetStreamManagement();
      for (String topic : topics) {
        for (String stream : management.getStreamNames(topic)) {
          management.deleteStream(stream);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not delete the streams of this run", e);
    }
  }
}
