package io.layotto.components.redis;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One write or delete as the {@link WriteScript} receives it: the key, what to do, the condition
 * the stored version must meet, and the expiry to leave on the key.
 *
 * @param etag the etag as the client sent it, for messages; null when the condition is not an etag
 * @param ttlSeconds expiry after the write; empty removes any expiry
 */
record WriteOp(String key, Action action, Condition condition, @Nullable String etag, byte[] data,
    OptionalLong ttlSeconds) {

  enum Action { SET, DELETE }

  /** What the stored version must be for the operation to apply. */
  sealed interface Condition {
    /** Applies whatever is stored. */
    record None() implements Condition {}

    /** Applies only if the key does not exist (first-write). */
    record Absent() implements Condition {}

    /** Applies only if the key exists with this version. */
    record Version(long version) implements Condition {}
  }

  static final Condition NONE = new Condition.None();
  static final Condition ABSENT = new Condition.Absent();
  private static final byte[] EMPTY = new byte[0];

  static WriteOp set(String key, byte[] data, Condition condition, @Nullable String etag, OptionalLong ttlSeconds) {
    return new WriteOp(key, Action.SET, condition, etag, data, ttlSeconds);
  }

  static WriteOp delete(String key, Condition condition, @Nullable String etag) {
    return new WriteOp(key, Action.DELETE, condition, etag, EMPTY, OptionalLong.empty());
  }

  /** ARGV words 1-4 of this operation, in the order {@link WriteScript} reads them. */
  byte[][] scriptArguments() {
    String action = this.action == Action.SET ? "set" : "del";
    String expected = switch (condition) {
      case Condition.None n -> "";
      case Condition.Absent a -> "*";
      case Condition.Version v -> Long.toString(v.version());
    };
    String ttl = ttlSeconds.isPresent() ? Long.toString(ttlSeconds.getAsLong()) : "";
    return new byte[][] {ascii(action), ascii(expected), ascii(ttl), data};
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
