package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisReadOnlyException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Translates Lettuce failures into {@link ComponentException}s that name the Redis address. */
final class RedisFailures {

  private RedisFailures() {}

  /**
   * @param address the Redis address, e.g. {@code 127.0.0.1:6379}
   * @param doing what was attempted, e.g. {@code get of key 'a'}
   */
  static ComponentException translate(Throwable failure, String address, Duration timeout, String doing) {
    Throwable t = WriteScript.unwrap(failure);
    return switch (t) {
      case ComponentException e -> e;
      case RedisCommandTimeoutException e -> ComponentException.unavailable(
          "redis at " + address + " did not answer the " + doing + " within " + timeout.toMillis() + " ms", e);
      case TimeoutException e -> ComponentException.unavailable(
          "redis at " + address + " did not answer the " + doing + " within " + timeout.toMillis() + " ms", e);
      case RedisLoadingException e -> ComponentException.unavailable(
          "redis at " + address + " is loading its data set; " + doing + " failed, retry later", e);
      case RedisBusyException e -> ComponentException.unavailable(
          "redis at " + address + " is busy running a script; " + doing + " failed, retry later", e);
      case RedisReadOnlyException e -> ComponentException.unavailable(
          "redis at " + address + " is a read-only replica; " + doing + " failed", e);
      case RedisCommandExecutionException e -> serverError(e, address, doing);
      case RedisCommandInterruptedException e -> ComponentException.unavailable(
          "the " + doing + " on redis at " + address + " was interrupted", e);
      // Everything else Lettuce raises concerns the connection: refused, closed, not connected.
      case RedisException e -> ComponentException.unavailable(
          "redis at " + address + " is unreachable; " + doing + " failed: " + rootMessage(e), e);
      case IOException e -> ComponentException.unavailable(
          "redis at " + address + " is unreachable; " + doing + " failed: " + rootMessage(e), e);
      default -> ComponentException.internal(
          "the " + doing + " on redis at " + address + " failed: " + rootMessage(t), t);
    };
  }

  private static ComponentException serverError(RedisCommandExecutionException e, String address, String doing) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("OOM")) {
      return new ComponentException(Kind.RESOURCE_EXHAUSTED,
          "redis at " + address + " is out of memory (maxmemory); " + doing + " was refused", e);
    }
    if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.startsWith("MASTERDOWN")
        || message.startsWith("TRYAGAIN") || message.startsWith("CLUSTERDOWN")) {
      return ComponentException.unavailable("redis at " + address + " refused the " + doing + ": " + message, e);
    }
    return ComponentException.internal("redis at " + address + " rejected the " + doing + ": " + message, e);
  }

  /** True for the server's reply to a hash command on a key holding another type. */
  static boolean isWrongType(Throwable failure) {
    return WriteScript.unwrap(failure) instanceof RedisCommandExecutionException e
        && e.getMessage() != null && e.getMessage().startsWith("WRONGTYPE");
  }

  /** True when the server refused to authenticate (wrong password or user, or AUTH required). */
  static boolean isCredentialsRejected(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.startsWith("ERR invalid password")
          || message.startsWith("ERR AUTH") || message.contains("NOPERM")) {
        return true;
      }
    }
    return false;
  }

  /** The innermost message, e.g. "Connection refused" rather than Lettuce's wrapper text. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String outer = String.valueOf(t.getMessage());
    String inner = String.valueOf(root.getMessage());
    return root == t || outer.contains(inner) ? outer : outer + " (" + inner + ")";
  }
}
