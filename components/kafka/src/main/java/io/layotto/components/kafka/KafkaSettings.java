package io.layotto.components.kafka;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a Kafka pub/sub component, read once from Dapr's {@code pubsub.kafka} metadata keys.
 *
 * @param brokers {@code host:port} bootstrap addresses ({@code brokers}, comma-separated)
 * @param consumerGroup the group every subscription joins; null means the runtime's consumer group
 *     ({@code consumerID}, by default the app id)
 * @param clientId prefix of the client ids the producer and the consumers report to the brokers
 * @param initialOffset where a group without committed offsets starts
 * @param maxMessageBytes largest payload a publish may carry
 * @param consumeRetryInterval wait before a message whose handler failed is handed out again;
 *     doubled per further failure, at most {@link #MAX_RETRY_INTERVAL}
 */
public record KafkaSettings(List<String> brokers, @Nullable String consumerGroup, String clientId,
    InitialOffset initialOffset, int maxMessageBytes, Compression compression, Duration consumeRetryInterval,
    Duration heartbeatInterval, Duration sessionTimeout, Duration publishTimeout, Duration subscribeTimeout) {

  /** Dapr's {@code initialOffset} values and the Kafka reset policy each stands for. */
  public enum InitialOffset {
    NEWEST("latest"), OLDEST("earliest");

    private final String resetPolicy;

    InitialOffset(String resetPolicy) {
      this.resetPolicy = resetPolicy;
    }

    /** The value of the consumer's {@code auto.offset.reset}. */
    public String resetPolicy() {
      return resetPolicy;
    }
  }

  /** Producer compression codecs ({@code compression.type}). */
  public enum Compression { NONE, GZIP, SNAPPY, LZ4, ZSTD }

  public static final String BROKERS = "brokers";
  public static final String CONSUMER_GROUP = "consumerGroup";
  public static final String CONSUMER_ID = "consumerID";
  public static final String CLIENT_ID = "clientID";
  public static final String INITIAL_OFFSET = "initialOffset";
  public static final String MAX_MESSAGE_BYTES = "maxMessageBytes";
  public static final String AUTH_TYPE = "authType";
  public static final String COMPRESSION = "compression";
  public static final String CONSUME_RETRY_INTERVAL = "consumeRetryInterval";
  public static final String HEARTBEAT_INTERVAL = "heartbeatInterval";
  public static final String SESSION_TIMEOUT = "sessionTimeout";
  public static final String PUBLISH_TIMEOUT = "publishTimeout";
  public static final String SUBSCRIBE_TIMEOUT = "subscribeTimeout";

  /** Dapr's other authentication types, named in the error so a Dapr user sees why theirs is refused. */
  static final List<String> UNSUPPORTED_AUTH_TYPES = List.of("password", "mtls", "oidc", "awsiam", "certificate");

  static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
  static final Duration MAX_RETRY_INTERVAL = Duration.ofSeconds(30);

  /** The keys the Kafka pub/sub understands. */
  public static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .required(BROKERS, Type.STRING, "bootstrap brokers as host:port, comma-separated, e.g. 127.0.0.1:9092")
      .optional(CONSUMER_GROUP, Type.STRING, null,
          "consumer group of every subscription; unset: consumerID (the runtime's consumer group, by default the app id)")
      .optional(CONSUMER_ID, Type.STRING, null,
          "consumer group when consumerGroup is unset; the runtime passes it as each subscription's consumer group")
      .optional(CLIENT_ID, Type.STRING, null, "client id prefix shown in the brokers' logs and quotas; default layotto-<component>")
      .oneOf(INITIAL_OFFSET, "newest", List.of("newest", "oldest"),
          "where a consumer group without committed offsets starts: newest (only new messages) or oldest (the whole log)")
      .optional(MAX_MESSAGE_BYTES, Type.INT, String.valueOf(DEFAULT_MAX_MESSAGE_BYTES),
          "largest payload a publish may carry, in bytes; the broker's message.max.bytes must allow it too")
      .oneOf(AUTH_TYPE, "none", List.of("none"),
          "authentication; only none (plaintext) is supported, Dapr's " + UNSUPPORTED_AUTH_TYPES + " are refused")
      .oneOf(COMPRESSION, "none", List.of("none", "gzip", "snappy", "lz4", "zstd"), "compression of published batches")
      .optional(CONSUME_RETRY_INTERVAL, Type.DURATION, "100ms",
          "wait before a message whose delivery failed is handed out again, doubled per failure up to 30s;"
              + " a bare number counts milliseconds")
      .optional(HEARTBEAT_INTERVAL, Type.DURATION, "3s", "consumer group heartbeat interval (heartbeat.interval.ms)")
      .optional(SESSION_TIMEOUT, Type.DURATION, "10s",
          "how long the group waits for a silent consumer before giving its partitions to others (session.timeout.ms)")
      .optional(PUBLISH_TIMEOUT, Type.DURATION, "10s",
          "how long a publish may wait for the brokers' acknowledgement before it fails with UNAVAILABLE")
      .optional(SUBSCRIBE_TIMEOUT, Type.DURATION, "30s",
          "how long a subscribe may wait to join its consumer group before it fails with UNAVAILABLE")
      .build();

  public KafkaSettings {
    brokers = List.copyOf(brokers);
  }

  /** Reads and checks the metadata; every bad value is an INVALID_ARGUMENT naming key, value and what is allowed. */
  public static KafkaSettings from(Metadata metadata) {
    String component = metadata.componentName();
    String where = "component '" + component + "'";
    String raw = metadata.require(BROKERS);
    List<String> brokers = new ArrayList<>();
    for (String part : raw.split(",")) {
      String broker = part.trim();
      if (!broker.matches("[^\\s:/]+:\\d{1,5}") || Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1)) > 65535) {
        throw invalid(where, BROKERS, raw, "host:port pairs separated by commas, e.g. 127.0.0.1:9092");
      }
      brokers.add(broker);
    }
    String authType = metadata.get(AUTH_TYPE).orElse("none");
    if (!authType.equals("none")) {
      throw invalid(where, AUTH_TYPE, authType, "none (the only authentication this component supports; "
          + String.join(", ", UNSUPPORTED_AUTH_TYPES) + " are not implemented)");
    }
    String initial = metadata.get(INITIAL_OFFSET).orElse("newest");
    InitialOffset initialOffset = switch (initial) {
      case "newest" -> InitialOffset.NEWEST;
      case "oldest" -> InitialOffset.OLDEST;
      default -> throw invalid(where, INITIAL_OFFSET, initial, "one of [newest, oldest]");
    };
    String codec = metadata.get(COMPRESSION).orElse("none");
    Compression compression;
    try {
      compression = Compression.valueOf(codec.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid(where, COMPRESSION, codec, "one of [none, gzip, snappy, lz4, zstd]");
    }
    int maxMessageBytes = metadata.getInt(MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES);
    if (maxMessageBytes < 1) {
      throw invalid(where, MAX_MESSAGE_BYTES, String.valueOf(maxMessageBytes), "a number of bytes of 1 or more");
    }
    String clientId = metadata.get(CLIENT_ID).orElse("layotto-" + component);
    if (!clientId.matches("[A-Za-z0-9._-]+")) {
      throw invalid(where, CLIENT_ID, clientId, "letters, digits, '.', '_' and '-' only");
    }
    Duration retry = positive(where, metadata, CONSUME_RETRY_INTERVAL, Duration.ofMillis(100));
    Duration heartbeat = positive(where, metadata, HEARTBEAT_INTERVAL, Duration.ofSeconds(3));
    Duration session = positive(where, metadata, SESSION_TIMEOUT, Duration.ofSeconds(10));
    if (heartbeat.compareTo(session) >= 0) {
      throw invalid(where, HEARTBEAT_INTERVAL, metadata.get(HEARTBEAT_INTERVAL).orElse("3s"),
          "a duration shorter than " + SESSION_TIMEOUT + " (" + session + ")");
    }
    Duration publishTimeout = positive(where, metadata, PUBLISH_TIMEOUT, Duration.ofSeconds(10));
    Duration subscribeTimeout = positive(where, metadata, SUBSCRIBE_TIMEOUT, Duration.ofSeconds(30));
    String group = metadata.get(CONSUMER_GROUP).orElse(null);
    return new KafkaSettings(brokers, group, clientId, initialOffset, maxMessageBytes, compression, retry,
        heartbeat, session, publishTimeout, subscribeTimeout);
  }

  /** The brokers as the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return String.join(",", brokers);
  }

  /** The wait before handing out a message again after its {@code failures}-th failed delivery (1-based). */
  Duration retryDelay(int failures) {
    Duration delay = consumeRetryInterval.multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
    return delay.compareTo(MAX_RETRY_INTERVAL) > 0 ? MAX_RETRY_INTERVAL : delay;
  }

  private static Duration positive(String where, Metadata metadata, String key, Duration defaultValue) {
    Duration value = metadata.getDuration(key, defaultValue, ChronoUnit.MILLIS);
    if (value.toMillis() < 1) {
      throw invalid(where, key, metadata.get(key).orElse(""), "a duration of at least 1ms, such as 500ms or 3s");
    }
    return value;
  }

  /** @param where whose metadata it is, e.g. {@code component 'pubsub'} */
  static ComponentException invalid(String where, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of " + where + " is '" + value
        + "', expected " + expected);
  }
}
