package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where the Redis configuration store keeps things (all names start with the configured prefix,
 * {@code layotto-config||} by default):
 * <ul>
 *   <li>item: hash {@code <prefix><appId>||<group>||<label>||<key>} with fields {@code content},
 *       {@code tags} (a JSON object of strings) and {@code version} (an integer, +1 on every save);</li>
 *   <li>index: set {@code <prefix><appId>||<group>||<label>} of the keys saved in that group and
 *       label, which whole-group reads and subscriptions list;</li>
 *   <li>change channel: {@code <prefix>changes}, where every save and delete publishes the change as
 *       JSON before it is applied, in the same script, so subscribers see each change in order.</li>
 * </ul>
 * Item and index names differ in their number of {@code ||} separators, which is why no part may be
 * empty, contain {@code ||}, or start or end with {@code |}.
 */
record ConfigurationLayout(String prefix, int database) {

  static final String DEFAULT_PREFIX = "layotto-config||";
  static final String SEPARATOR = "||";
  static final String CONTENT = "content";
  static final String TAGS = "tags";
  static final String VERSION = "version";

  /** One item's address. */
  record ItemId(String appId, String group, String label, String key) {}

  String itemKey(String appId, String group, String label, String key) {
    return scopePrefix(appId, group, label) + key;
  }

  /** The item names of a group and label all start with this. */
  String scopePrefix(String appId, String group, String label) {
    return indexKey(appId, group, label) + SEPARATOR;
  }

  String indexKey(String appId, String group, String label) {
    return prefix + appId + SEPARATOR + group + SEPARATOR + label;
  }

  String changeChannel() {
    return prefix + "changes";
  }

  /** The keyspace-notification channel prefix of this database. */
  String keyspaceChannelPrefix() {
    return "__keyspace@" + database + "__:";
  }

  /** The pattern matching the keyspace notifications of every name under the prefix. */
  String keyspacePattern() {
    return keyspaceChannelPrefix() + globEscaped(prefix) + "*";
  }

  /** The item a keyspace channel is about, or null when it names no item (an index, another key). */
  @Nullable ItemId itemOfKeyspaceChannel(String channel) {
    String head = keyspaceChannelPrefix() + prefix;
    if (!channel.startsWith(head)) {
      return null;
    }
    List<String> parts = List.of(channel.substring(head.length()).split("\\|\\|", -1));
    if (parts.size() != 4 || parts.stream().anyMatch(String::isEmpty)) {
      return null;
    }
    return new ItemId(parts.get(0), parts.get(1), parts.get(2), parts.get(3));
  }

  /**
   * Rejects a name part this layout could not tell apart from its neighbours.
   *
   * @param field the request field, e.g. {@code items[2].key}
   */
  static void checkPart(String field, String value) {
    if (value.isEmpty()) {
      throw ComponentException.invalidArgument(field + " is empty");
    }
    if (value.contains(SEPARATOR) || value.startsWith("|") || value.endsWith("|")) {
      throw ComponentException.invalidArgument(field + " is '" + value + "'; the redis configuration store "
          + "does not accept '||' in it, nor '|' at its start or end");
    }
  }

  private static String globEscaped(String text) {
    return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
