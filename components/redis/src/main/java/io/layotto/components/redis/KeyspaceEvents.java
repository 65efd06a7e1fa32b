package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@code notify-keyspace-events} setting, which the configuration store needs to see
 * items changed outside Layotto (by redis-cli, another tool, expiry). Flags: {@code K} keyspace
 * channel, {@code g} DEL/RENAME/EXPIRE, {@code h} hash commands, {@code x} expired, {@code e} evicted.
 */
final class KeyspaceEvents {

  /** What the component does about the setting (metadata {@value #METADATA_KEY}). */
  enum Mode {
    /** Check it and add missing flags with CONFIG SET (the flags already set are kept). */
    ENABLE,
    /** Only check it; when CONFIG GET is refused (managed Redis), trust the operator. */
    CHECK,
    /** Do not use keyspace notifications: only changes made through Layotto are pushed. */
    OFF;

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Mode parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    static List<String> names() {
      return List.of("enable", "check", "off");
    }
  }

  static final String METADATA_KEY = "keyspaceEvents";
  static final String SETTING = "notify-keyspace-events";
  static final String REQUIRED = "Kghxe";
  private static final String ALL_ALIAS_CLASSES = "g$lshzxetd";
  private static final Logger log = LoggerFactory.getLogger(KeyspaceEvents.class);

  private KeyspaceEvents() {}

  /** The flags of {@link #REQUIRED} that {@code current} lacks ({@code A} stands for every class). */
  static String missing(String current) {
    String have = current.contains("A") ? current + ALL_ALIAS_CLASSES : current;
    StringBuilder missing = new StringBuilder();
    for (char flag : REQUIRED.toCharArray()) {
      if (have.indexOf(flag) < 0) {
        missing.append(flag);
      }
    }
    return missing.toString();
  }

  /**
   * Makes sure the server notifies the store, as {@code mode} says.
   *
   * @throws ComponentException INVALID_ARGUMENT explaining how to enable the setting when it is
   *     missing and cannot be changed; UNAVAILABLE when Redis cannot be reached
   */
  static void ensure(RedisEndpoint endpoint, Mode mode) {
    if (mode == Mode.OFF) {
      return;
    }
    String current;
    try {
      Map<String, String> reply = endpoint.await(endpoint.redis().configGet(SETTING).toCompletableFuture(),
          "CONFIG GET " + SETTING);
      current = reply.getOrDefault(SETTING, "");
    } catch (ComponentException e) {
      if (e.kind() == ComponentException.Kind.UNAVAILABLE) {
        throw e;
      }
      if (mode == Mode.CHECK) {
        log.warn("{}: redis at {} refused CONFIG GET {} ({}); trusting that the server sends keyspace "
            + "notifications with flags {}", endpoint.description(), endpoint.address(), SETTING, e.getMessage(),
            REQUIRED);
        return;
      }
      throw refused(endpoint, "CONFIG GET " + SETTING, e);
    }
    String missing = missing(current);
    if (missing.isEmpty()) {
      return;
    }
    if (mode == Mode.CHECK) {
      throw ComponentException.invalidArgument(endpoint.description() + ": redis at " + endpoint.address() + " has "
          + SETTING + " '" + current + "', which lacks the flags '" + missing + "' the store needs to see changes "
          + "made outside Layotto; add them on the server (e.g. CONFIG SET " + SETTING + " " + current + missing
          + "), set metadata '" + METADATA_KEY + "' to 'enable' to let the store add them, or to 'off' to see "
          + "only changes made through Layotto");
    }
    String wanted = current + missing;
    try {
      endpoint.await(endpoint.redis().configSet(SETTING, wanted).toCompletableFuture(),
          "CONFIG SET " + SETTING + " " + wanted);
    } catch (ComponentException e) {
      if (e.kind() == ComponentException.Kind.UNAVAILABLE) {
        throw e;
      }
      throw refused(endpoint, "CONFIG SET " + SETTING + " " + wanted, e);
    }
    log.info("{}: set {} of redis at {} from '{}' to '{}' to see configuration changes made outside Layotto",
        endpoint.description(), SETTING, endpoint.address(), current, wanted);
  }

  private static ComponentException refused(RedisEndpoint endpoint, String command, @Nullable Throwable cause) {
    return new ComponentException(ComponentException.Kind.INVALID_ARGUMENT, endpoint.description() + ": redis at "
        + endpoint.address() + " refused " + command + " (" + (cause == null ? "" : cause.getMessage()) + "). "
        + "The store needs keyspace notifications (flags " + REQUIRED + ") to see changes made outside Layotto: "
        + "enable them on the server (notify-keyspace-events " + REQUIRED + " in redis.conf) and set metadata '"
        + METADATA_KEY + "' to 'check', or set it to 'off' to see only changes made through Layotto", cause);
  }
}
