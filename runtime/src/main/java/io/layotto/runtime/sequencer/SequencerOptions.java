package io.layotto.runtime.sequencer;

import io.layotto.runtime.grpc.state.KeyPrefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runtime-level settings of one configured sequencer, read from its {@code metadata} next to the
 * component's own keys, and its {@code biggerThan} with the keys as stored:
 * <ul>
 *   <li>{@code keyPrefix} — as Layotto: {@code appid} (default), {@code name}, {@code none} or a
 *       literal; the stored key is {@code sequencer|||<prefix>||<key>} ({@code sequencer|||<key>}
 *       for {@code none} or an empty app id)</li>
 *   <li>{@code segmentSize} — ids a WEAK request reserves at once and serves from the sidecar
 *       (default 10000, Layotto's); 0 serves WEAK like STRONG. Only for components with segments.</li>
 * </ul>
 *
 * @param biggerThan stored key to the value its ids must exceed
 */
public record SequencerOptions(KeyPrefix keyPrefix, int segmentSize, Map<String, Long> biggerThan) {

  public static final String KEY_PREFIX = "keyPrefix";
  public static final String SEGMENT_SIZE = "segmentSize";
  public static final int DEFAULT_SEGMENT_SIZE = 10_000;
  public static final int MAX_SEGMENT_SIZE = 100_000_000;
  /** Every stored sequencer key starts with this, as in Layotto. */
  public static final String STORED_KEY_HEAD = "sequencer|||";
  private static final String DEFAULT_KEY_PREFIX = "appid";

  public SequencerOptions {
    biggerThan = Collections.unmodifiableMap(new LinkedHashMap<>(biggerThan));
  }

  /** Keys the runtime reads, so unknown-key warnings do not mention them. */
  public static Set<String> runtimeKeys() {
    return Set.of(KEY_PREFIX, SEGMENT_SIZE);
  }

  /**
   * Problems with the runtime-level keys and the {@code biggerThan} keys, each naming key and value.
   *
   * @return pairs of (JSON path suffix, message)
   */
  public static List<Map.Entry<String, String>> validate(String name, Map<String, String> metadata,
      Map<String, Long> biggerThan, String appId) {
    List<Map.Entry<String, String>> problems = new ArrayList<>();
    String strategy = strategy(metadata);
    try {
      KeyPrefix.of(strategy, name, appId);
    } catch (IllegalArgumentException e) {
      problems.add(Map.entry(".metadata." + KEY_PREFIX, "is '" + strategy
          + "', which resolves to a prefix containing '||'; allowed: appid, name, none or a literal prefix without '||'"));
    }
    String size = metadata.get(SEGMENT_SIZE);
    if (size != null && !size.isBlank() && parseSize(size.trim()) < 0) {
      problems.add(Map.entry(".metadata", "'" + SEGMENT_SIZE + "' is '" + size + "', expected a number of ids from 0"
          + " (no cache) to " + MAX_SEGMENT_SIZE));
    }
    for (String key : biggerThan.keySet()) {
      if (!key.startsWith(STORED_KEY_HEAD) && key.contains(KeyPrefix.SEPARATOR)) {
        problems.add(Map.entry(".biggerThan['" + key + "']", "the key must not contain '||' (or must be a whole stored"
            + " key starting with '" + STORED_KEY_HEAD + "')"));
      }
    }
    return problems;
  }

  /** The settings of a sequencer whose config passed {@link #validate}. */
  public static SequencerOptions of(String name, Map<String, String> metadata, Map<String, Long> biggerThan,
      String appId) {
    KeyPrefix prefix = KeyPrefix.of(strategy(metadata), name, appId);
    String size = metadata.get(SEGMENT_SIZE);
    int segmentSize = size == null || size.isBlank() ? DEFAULT_SEGMENT_SIZE : parseSize(size.trim());
    Map<String, Long> stored = new LinkedHashMap<>();
    // Layotto applies biggerThan keys verbatim although requests are prefixed; here a key means the
    // key clients send, and a whole stored key (sequencer|||...) is still taken as it is.
    biggerThan.forEach((key, value) -> stored.merge(key.startsWith(STORED_KEY_HEAD) ? key
        : STORED_KEY_HEAD + prefix.apply(key), value, Math::max));
    return new SequencerOptions(prefix, segmentSize, stored);
  }

  /** The key as the component stores it. */
  public String storedKey(String key) {
    return STORED_KEY_HEAD + keyPrefix.apply(key);
  }

  private static String strategy(Map<String, String> metadata) {
    String raw = metadata.get(KEY_PREFIX);
    return raw == null || raw.isBlank() ? DEFAULT_KEY_PREFIX : raw.trim().toLowerCase(Locale.ROOT);
  }

  private static int parseSize(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 0 && v <= MAX_SEGMENT_SIZE ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
