package io.layotto.spi.pubsub;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One message to publish. {@code metadata} is the request metadata (e.g. {@code ttlInSeconds}). */
public record PublishRequest(String topic, byte[] data, @Nullable String contentType, Map<String, String> metadata) {

  public PublishRequest {
    metadata = Map.copyOf(metadata);
  }

  public static PublishRequest of(String topic, byte[] data) {
    return new PublishRequest(topic, data, null, Map.of());
  }
}
