package io.layotto.spi.pubsub;

import java.util.Map;

/**
 * A subscription to one topic.
 *
 * @param consumerGroup the group sharing the topic's messages (Layotto's {@code consumerID},
 *     defaulting to the app id); never empty
 * @param maxInFlight how many messages may be handed out and not yet completed at once (>= 1)
 * @param metadata subscription metadata from the app (component-specific options)
 */
public record SubscribeRequest(String topic, String consumerGroup, int maxInFlight, Map<String, String> metadata) {

  public SubscribeRequest {
    metadata = Map.copyOf(metadata);
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
    }
    if (consumerGroup.isEmpty()) {
      throw new IllegalArgumentException("consumerGroup must not be empty");
    }
  }
}
