package io.layotto.spi.state;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A stored value. {@code data} is returned as stored, byte for byte; {@code etag} is null only for
 * stores without {@link StateFeature#ETAG}.
 */
public record StateValue(byte[] data, @Nullable String etag, Map<String, String> metadata) {

  public StateValue {
    metadata = Map.copyOf(metadata);
  }

  public StateValue(byte[] data, @Nullable String etag) {
    this(data, etag, Map.of());
  }
}
