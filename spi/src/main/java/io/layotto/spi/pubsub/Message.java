package io.layotto.spi.pubsub;

import java.util.Map;

/**
 * A delivered message.
 *
 * @param metadata broker facts useful in logs and events (e.g. a stream id, a redelivery count)
 */
public record Message(String topic, byte[] data, Map<String, String> metadata) {

  public Message {
    metadata = Map.copyOf(metadata);
  }
}
