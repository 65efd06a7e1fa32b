package io.layotto.components.nats;

import io.layotto.spi.Durations;
import io.nats.client.api.DeliverPolicy;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a subscription's durable consumer is set up. The component's metadata gives the defaults; a
 * subscription's own metadata may override each key.
 *
 * @param durableName base of the durable name instead of the consumer group; null to use the group
 * @param maxDeliver most deliveries of one message, -1 for no limit
 * @param maxAckPending most messages of the group delivered and not acked (the server's cap over
 *     all subscribers; each subscription's own cap is its maxInFlight)
 */
public record ConsumerSettings(@Nullable String durableName, Duration ackWait, long maxDeliver,
    long maxAckPending, StartPolicy deliverPolicy) {

  public static final String DURABLE_NAME = "durableName";
  public static final String ACK_WAIT = "ackWait";
  public static final String MAX_DELIVER = "maxDeliver";
  public static final String DELIVER_POLICY = "deliverPolicy";
  public static final String MAX_ACK_PENDING = "maxAckPending";

  /** Where a new consumer group starts reading the stream. */
  public enum StartPolicy {
    ALL(DeliverPolicy.All), NEW(DeliverPolicy.New), LAST(DeliverPolicy.Last);

    private final DeliverPolicy nats;

    StartPolicy(DeliverPolicy nats) {
      this.nats = nats;
    }

    DeliverPolicy nats() {
      return nats;
    }
  }

  static final ConsumerSettings DEFAULTS = new ConsumerSettings(null, Duration.ofSeconds(30), -1, 1_000,
      StartPolicy.ALL);

  /**
   * These settings with the consumer keys found in {@code metadata} applied.
   *
   * @param where whose metadata it is, for error messages, e.g. {@code component 'pubsub'}
   */
  public ConsumerSettings overriddenBy(Map<String, String> metadata, String where) {
    String durable = durableName;
    Duration wait = ackWait;
    long deliver = maxDeliver;
    long pending = maxAckPending;
    StartPolicy start = deliverPolicy;
    String raw = value(metadata, DURABLE_NAME);
    if (raw != null) {
      durable = raw;
    }
    raw = value(metadata, ACK_WAIT);
    if (raw != null) {
      Duration parsed = Durations.parse(raw, ChronoUnit.SECONDS);
      if (parsed == null || parsed.toMillis() < 1) {
        throw JetStreamSettings.invalid(where, ACK_WAIT, raw, "a duration such as 30s or 1m, at least 1ms");
      }
      wait = parsed;
    }
    raw = value(metadata, MAX_DELIVER);
    if (raw != null) {
      try {
        deliver = Long.parseLong(raw);
      } catch (NumberFormatException e) {
        deliver = 0;
      }
      if (deliver == 0 || deliver < -1) {
        throw JetStreamSettings.invalid(where, MAX_DELIVER, raw, "a number of deliveries of 1 or more, or -1 for no limit");
      }
    }
    raw = value(metadata, MAX_ACK_PENDING);
    if (raw != null) {
      try {
        pending = Long.parseLong(raw);
      } catch (NumberFormatException e) {
        pending = 0;
      }
      if (pending < 1) {
        throw JetStreamSettings.invalid(where, MAX_ACK_PENDING, raw, "a number of messages of 1 or more");
      }
    }
    raw = value(metadata, DELIVER_POLICY);
    if (raw != null) {
      start = switch (raw) {
        case "all" -> StartPolicy.ALL;
        case "new" -> StartPolicy.NEW;
        case "last" -> StartPolicy.LAST;
        default -> throw JetStreamSettings.invalid(where, DELIVER_POLICY, raw, "one of [all, new, last]");
      };
    }
    return new ConsumerSettings(durable, wait, deliver, pending, start);
  }

  private static @Nullable String value(Map<String, String> metadata, String key) {
    String v = metadata.get(key);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
