package io.layotto.spi.state;

import java.util.Map;

/** Read one key. */
public record GetRequest(String key, Consistency consistency, Map<String, String> metadata) {

  public GetRequest {
    metadata = Map.copyOf(metadata);
  }

  public static GetRequest of(String key) {
    return new GetRequest(key, Consistency.UNSPECIFIED, Map.of());
  }
}
