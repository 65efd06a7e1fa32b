package io.layotto.spi.configuration;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One configuration item as stored and reported.
 *
 * @param key the item's key within its group and label
 * @param content the value; empty only in a change event reporting a deletion
 * @param group the group it belongs to (never blank)
 * @param label the label it belongs to (never blank)
 * @param tags free-form attributes saved with the item
 * @param version changes on every save of the item; empty when the store has no
 *     {@link ConfigurationFeature#VERSIONS} or the item is deleted
 */
public record ConfigurationItem(String key, String content, String group, String label, Map<String, String> tags,
    String version) {

  public ConfigurationItem {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(version, "version");
    // sorted, so equal items compare equal and print the same
    tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  /** An item to save (the store assigns the version). */
  public static ConfigurationItem of(String key, String content, String group, String label,
      Map<String, String> tags) {
    return new ConfigurationItem(key, content, group, label, tags, "");
  }

  /** The change event of a deleted item. */
  public static ConfigurationItem deleted(String key, String group, String label) {
    return new ConfigurationItem(key, "", group, label, Map.of(), "");
  }

  /** True for the change event of a deletion. */
  public boolean isDeleted() {
    return content.isEmpty();
  }

  /** The same item with another version. */
  public ConfigurationItem withVersion(String newVersion) {
    return new ConfigurationItem(key, content, group, label, tags, newVersion);
  }

  /** Same key, content, group, label and tags; versions may differ. */
  public boolean sameValue(ConfigurationItem other) {
    return key.equals(other.key) && content.equals(other.content) && group.equals(other.group)
        && label.equals(other.label) && tags.equals(other.tags);
  }
}
