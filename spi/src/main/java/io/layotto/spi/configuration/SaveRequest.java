package io.layotto.spi.configuration;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Items to save for one app, all at once where the backend allows it. Each item names its own group
 * and label; content is never empty; versions in it are ignored.
 */
public record SaveRequest(String appId, List<ConfigurationItem> items, Map<String, String> metadata) {

  public SaveRequest {
    Objects.requireNonNull(appId, "appId");
    items = List.copyOf(items);
    metadata = Map.copyOf(metadata);
  }

  public static SaveRequest of(String appId, ConfigurationItem... items) {
    return new SaveRequest(appId, List.of(items), Map.of());
  }
}
