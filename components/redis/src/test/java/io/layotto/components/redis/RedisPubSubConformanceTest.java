package io.layotto.components.redis;

import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import java.util.Map;
import java.util.Set;

/**
 * The pub/sub conformance kit against the shared Redis at 127.0.0.1:6379, with short pending
 * timeouts so failed and abandoned messages come back within the kit's bounds.
 */
class RedisPubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    PubSub pubSub = new RedisPubSubFactory().create();
    pubSub.init(new Metadata("pubsub_conformance", Map.of(
        RedisSettings.REDIS_HOST, RedisTestSupport.SHARED_REDIS,
        RedisStreamsSettings.PROCESSING_TIMEOUT, "1s",
        RedisStreamsSettings.REDELIVER_INTERVAL, "200ms")));
    return pubSub;
  }

  /** A topic is a stream; deleting it deletes its consumer groups too. */
  @Override
  protected void deleteCreated(PubSub pubSub, Set<String> topics, Set<String> groups) {
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      if (!topics.isEmpty()) {
        redis.raw().del(topics.toArray(String[]::new));
      }
      redis.deleteKeysStartingWith(runPrefix());
    }
  }
}
