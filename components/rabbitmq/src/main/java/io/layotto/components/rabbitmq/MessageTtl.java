package io.layotto.components.rabbitmq;

import io.layotto.spi.ComponentException;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/** Turns the {@code ttlInSeconds} publish metadata into an AMQP per-message expiration. */
final class MessageTtl {

  static final String TTL_IN_SECONDS = "ttlInSeconds";
  /** RabbitMQ keeps expirations as unsigned 32-bit milliseconds. */
  static final long MAX_SECONDS = 4_294_967L;

  private MessageTtl() {}

  /**
   * The expiration in milliseconds as AMQP writes it, or null for none. A request's own
   * {@code ttlInSeconds} wins over the component default; {@code -1} asks for no expiry at all.
   */
  static @Nullable String expiration(String topic, Map<String, String> metadata, OptionalLong defaultSeconds) {
    String raw = metadata.get(TTL_IN_SECONDS);
    if (raw == null || raw.isBlank()) {
      return defaultSeconds.isPresent() ? String.valueOf(defaultSeconds.getAsLong() * 1000) : null;
    }
    long seconds;
    try {
      seconds = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw bad(topic, raw);
    }
    if (seconds == -1) {
      return null;
    }
    if (seconds <= 0 || seconds > MAX_SECONDS) {
      throw bad(topic, raw);
    }
    return String.valueOf(seconds * 1000);
  }

  private static ComponentException bad(String topic, String raw) {
    return ComponentException.invalidArgument("metadata '" + TTL_IN_SECONDS + "' of the publish to topic '" + topic
        + "' is '" + raw + "', expected a number of seconds from 1 to " + MAX_SECONDS + ", or -1 for no expiry");
  }
}
