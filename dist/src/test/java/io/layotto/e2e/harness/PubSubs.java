package io.layotto.e2e.harness;

import java.util.Map;

/**
 * Pub/sub components for end-to-end tests, tuned so retries and redeliveries happen within seconds:
 * the in-memory broker and Redis Streams on the shared Redis (tests use random topic names).
 */
public final class PubSubs {

  public static final String IN_MEMORY = "mem_pubsub";
  public static final String REDIS = "redis_pubsub";

  /** Runtime-level delivery keys: quick exponential backoff between attempts. */
  private static final Map<String, String> FAST_RETRIES = Map.of(
      "backoffInitialInterval", "100ms",
      "backoffMaxInterval", "1s",
      "deliveryTimeout", "10s");

  private PubSubs() {}

  /** Both pub/subs, {@link #IN_MEMORY} and {@link #REDIS} (Redis on 127.0.0.1:6379). */
  public static SidecarConfig withInMemoryAndRedis(SidecarConfig config) {
    return config.withPubSub(IN_MEMORY, "in-memory", inMemory()).withPubSub(REDIS, "redis", redis(6379));
  }

  /** In-memory metadata: a failed message comes back after 100 ms. */
  public static Map<String, String> inMemory() {
    return merged(FAST_RETRIES, Map.of("redeliveryDelay", "100ms"));
  }

  /**
   * Redis Streams metadata: a failed entry comes back after 500 ms; an entry left pending by a
   * subscription that went away is claimed by the next one after 3 s.
   */
  public static Map<String, String> redis(int port) {
    return merged(FAST_RETRIES, Map.of("redisHost", "127.0.0.1:" + port, "redisPassword", "",
        "redeliverInterval", "500ms", "processingTimeout", "3s"));
  }

  private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
    java.util.Map<String, String> all = new java.util.LinkedHashMap<>(a);
    all.putAll(b);
    return all;
  }
}
