package io.layotto.runtime.grpc.state;

import java.util.Locale;

/**
 * How a state store's keys are rewritten before they reach the backend, as Layotto does it (its
 * {@code keyPrefix} store metadata): {@code none} (the default) keeps the key, {@code appid} stores
 * {@code <appId>||key} (the key alone when no app id is configured), {@code name} stores
 * {@code <storeName>||key}, any other value {@code X} stores {@code x||key} (lower-cased, as Layotto).
 * Clients never see the prefix.
 *
 * @param prefix what goes before the separator; empty for no prefix
 */
public record KeyPrefix(String prefix) {

  /** Layotto's and Dapr's separator between prefix and key. */
  public static final String SEPARATOR = "||";

  public static final KeyPrefix NONE = new KeyPrefix("");

  /**
   * @param strategy the raw {@code keyPrefix} setting
   * @throws IllegalArgumentException when a literal prefix contains the separator
   */
  public static KeyPrefix of(String strategy, String storeName, String appId) {
    String s = strategy.trim().toLowerCase(Locale.ROOT);
    KeyPrefix prefix = switch (s) {
      case "", "none" -> NONE;
      case "appid" -> new KeyPrefix(appId);
      case "name" -> new KeyPrefix(storeName);
      default -> new KeyPrefix(s);
    };
    if (prefix.prefix.contains(SEPARATOR)) {
      throw new IllegalArgumentException("keyPrefix of state store '" + storeName + "' resolves to '" + prefix.prefix
          + "', which must not contain '" + SEPARATOR + "'");
    }
    return prefix;
  }

  /** The key as stored in the backend. */
  public String apply(String key) {
    return prefix.isEmpty() ? key : prefix + SEPARATOR + key;
  }

  /** The key as the client knows it; keys without this prefix are returned unchanged. */
  public String strip(String storedKey) {
    String head = prefix + SEPARATOR;
    return !prefix.isEmpty() && storedKey.startsWith(head) ? storedKey.substring(head.length()) : storedKey;
  }
}
