package io.layotto.components.kafka;

import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import java.util.Map;

/** The pub/sub conformance kit against a real Kafka broker (in-process, KRaft, 3 partitions per topic). */
class KafkaPubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    PubSub pubSub = new KafkaPubSubFactory().create();
    pubSub.init(KafkaTestSupport.metadata(KafkaTestSupport.sharedKafka().bootstrapServers(), Map.of()));
    return pubSub;
  }
}
