package io.layotto.spi.configuration;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which items a read, delete or subscription is about: the keys of one app, group and label, or
 * all of that group and label's items when {@code keys} is empty (not for deletes).
 *
 * @param metadata the request metadata, passed on unchanged (component-specific options)
 */
public record ConfigurationQuery(String appId, String group, String label, List<String> keys,
    Map<String, String> metadata) {

  public ConfigurationQuery {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(label, "label");
    keys = List.copyOf(keys);
    metadata = Map.copyOf(metadata);
  }

  /** The given keys of a group and label, without metadata. */
  public static ConfigurationQuery of(String appId, String group, String label, String... keys) {
    return new ConfigurationQuery(appId, group, label, List.of(keys), Map.of());
  }

  /** True when every key of the group and label is meant. */
  public boolean allKeys() {
    return keys.isEmpty();
  }

  /** Whether an item of this app belongs to the query. */
  public boolean matches(String itemGroup, String itemLabel, String itemKey) {
    return group.equals(itemGroup) && label.equals(itemLabel) && (keys.isEmpty() || keys.contains(itemKey));
  }
}
