package io.layotto.spi.state;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Write one key. {@code etag} null or empty means "no etag". Request metadata may carry
 * {@code ttlInSeconds} (see {@link StateRequests#ttlSeconds}) and {@code contentType}.
 */
public record SetRequest(String key, byte[] value, @Nullable String etag, Map<String, String> metadata,
    StateOptions options) {

  public SetRequest {
    metadata = Map.copyOf(metadata);
    etag = etag == null || etag.isEmpty() ? null : etag;
  }

  public static SetRequest of(String key, byte[] value) {
    return new SetRequest(key, value, null, Map.of(), StateOptions.DEFAULT);
  }
}
