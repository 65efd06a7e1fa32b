package io.layotto.spi.state;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Delete one key; {@code etag} null or empty means "no etag". */
public record DeleteRequest(String key, @Nullable String etag, Map<String, String> metadata, StateOptions options) {

  public DeleteRequest {
    metadata = Map.copyOf(metadata);
    etag = etag == null || etag.isEmpty() ? null : etag;
  }

  public static DeleteRequest of(String key) {
    return new DeleteRequest(key, null, Map.of(), StateOptions.DEFAULT);
  }
}
