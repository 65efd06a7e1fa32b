package io.layotto.components.rabbitmq;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Settings of a RabbitMQ pub/sub component, read from Dapr's metadata keys.
 *
 * @param uri the AMQP URI with credentials; never logged or shown
 * @param address {@code host:port} of the broker, safe to show
 * @param prefetchCount upper bound of the per-subscription prefetch; 0 leaves it at maxInFlight
 * @param maxLen {@code x-max-length} of the queues; 0 for none
 * @param maxLenBytes {@code x-max-length-bytes} of the queues; 0 for none
 * @param defaultTtlSeconds expiry of messages published without their own {@code ttlInSeconds}
 * @param requeueDelay how long a failed message is held before it is handed back to the queue
 */
public record RabbitMqSettings(String uri, String address, boolean durable, boolean deletedWhenUnused,
    int deliveryMode, boolean requeueInFailure, int prefetchCount, long maxLen, long maxLenBytes,
    ExchangeKind exchangeKind, boolean publisherConfirm, Duration reconnectWait, Duration publishTimeout,
    boolean enableDeadLetter, OptionalLong defaultTtlSeconds, Duration requeueDelay) {

  /** The exchange type declared per topic. */
  public enum ExchangeKind {
    FANOUT, TOPIC;

    public String amqpName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final String HOST = "host";
  public static final String CONNECTION_STRING = "connectionString";
  public static final String CONSUMER_ID = "consumerID";
  public static final String DURABLE = "durable";
  public static final String DELETED_WHEN_UNUSED = "deletedWhenUnused";
  public static final String AUTO_ACK = "autoAck";
  public static final String DELIVERY_MODE = "deliveryMode";
  public static final String REQUEUE_IN_FAILURE = "requeueInFailure";
  public static final String PREFETCH_COUNT = "prefetchCount";
  public static final String MAX_LEN = "maxLen";
  public static final String MAX_LEN_BYTES = "maxLenBytes";
  public static final String EXCHANGE_KIND = "exchangeKind";
  public static final String PUBLISHER_CONFIRM = "publisherConfirm";
  public static final String RECONNECT_WAIT = "reconnectWait";
  public static final String RECONNECT_WAIT_SECONDS = "reconnectWaitSeconds";
  public static final String PUBLISH_TIMEOUT = "publishTimeout";
  public static final String ENABLE_DEAD_LETTER = "enableDeadLetter";
  public static final String TTL_IN_SECONDS = "ttlInSeconds";
  public static final String REQUEUE_DELAY = "requeueDelay";

  static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(3);
  static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_REQUEUE_DELAY = Duration.ofMillis(100);
  static final int PERSISTENT = 2;
  /** AMQP carries the prefetch count in an unsigned short. */
  static final int MAX_PREFETCH = 65_535;

  private static final Pattern PASSWORD_IN_URI = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@");

  /** The keys the RabbitMQ pub/sub understands. */
  public static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .optional(HOST, Type.SECRET, null,
          "AMQP URI of the broker, e.g. amqp://user:password@127.0.0.1:5672/vhost (amqps for TLS); required unless "
              + CONNECTION_STRING + " is set")
      .optional(CONNECTION_STRING, Type.SECRET, null, "Dapr's newer name of " + HOST + "; wins when both are set")
      .optional(CONSUMER_ID, Type.STRING, null,
          "consumer group (the runtime defaults it to the app id); subscriptions of one group share the queue "
              + "<consumerID>-<topic>")
      .optional(DURABLE, Type.BOOL, "true", "declare exchanges and queues durable (they survive a broker restart)")
      .optional(DELETED_WHEN_UNUSED, Type.BOOL, "false",
          "declare exchanges and queues auto-delete (a queue disappears with its last consumer, losing its messages)")
      .optional(AUTO_ACK, Type.BOOL, "false",
          "must stay false: messages are acked only after the app handled them (at-least-once)")
      .optional(DELIVERY_MODE, Type.INT, "2", "AMQP delivery mode of published messages: 2 persistent, 0 or 1 transient")
      .optional(REQUEUE_IN_FAILURE, Type.BOOL, "true",
          "hand a failed message back to its queue for redelivery; false dead-letters it instead, which needs "
              + ENABLE_DEAD_LETTER)
      .optional(PREFETCH_COUNT, Type.INT, "0",
          "upper bound of unacked messages per subscription; 0 uses the subscription's maxInFlight")
      .optional(MAX_LEN, Type.INT, null, "x-max-length of the queues (oldest messages are dropped or dead-lettered)")
      .optional(MAX_LEN_BYTES, Type.INT, null, "x-max-length-bytes of the queues")
      .oneOf(EXCHANGE_KIND, "fanout", List.of("fanout", "topic"),
          "type of the exchange named after each topic; with topic, the routingKey publish and subscription "
              + "metadata select messages")
      .optional(PUBLISHER_CONFIRM, Type.BOOL, "true",
          "wait for the broker's confirm before a publish returns; false makes publishing fire-and-forget")
      .optional(RECONNECT_WAIT, Type.DURATION, "3s",
          "pause between reconnect attempts after the connection is lost; a bare number counts seconds")
      .optional(RECONNECT_WAIT_SECONDS, Type.INT, null, "Dapr's newer name of " + RECONNECT_WAIT + ", in seconds")
      .optional(PUBLISH_TIMEOUT, Type.DURATION, "5s",
          "how long a publish waits for the broker's confirm before failing as unavailable; a bare number counts "
              + "milliseconds")
      .optional(ENABLE_DEAD_LETTER, Type.BOOL, "false",
          "give each queue the dead-letter exchange dlx-<queue> bound to the queue dlq-<queue> (Dapr's names); "
              + "expired, overflowing and (with requeueInFailure=false) failed messages go there")
      .optional(TTL_IN_SECONDS, Type.INT, null, "expiry of messages published without their own ttlInSeconds")
      .optional(REQUEUE_DELAY, Type.DURATION, "100ms",
          "how long a failed message is held before it goes back to its queue, so a failing app is not flooded; "
              + "a bare number counts milliseconds")
      .build();

  public RabbitMqSettings {
    if (prefetchCount < 0 || maxLen < 0 || maxLenBytes < 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
  }

  /** Reads and checks the metadata; every bad value is an INVALID_ARGUMENT naming key and value. */
  public static RabbitMqSettings from(Metadata metadata) {
    String uriKey = metadata.get(CONNECTION_STRING).isPresent() ? CONNECTION_STRING : HOST;
    String uri = metadata.get(uriKey).orElseThrow(() -> ComponentException.invalidArgument(
        "metadata '" + HOST + "' of component '" + metadata.componentName()
            + "' is required: the AMQP URI of the broker, e.g. amqp://guest:guest@127.0.0.1:5672"));
    String address = addressOf(metadata, uriKey, uri);
    if (metadata.getBoolean(AUTO_ACK, false)) {
      throw invalid(metadata, AUTO_ACK, "true",
          "false: auto-ack would drop messages the app failed to handle, and delivery here is at-least-once");
    }
    int deliveryMode = metadata.getInt(DELIVERY_MODE, PERSISTENT);
    if (deliveryMode < 0 || deliveryMode > 2) {
      throw invalid(metadata, DELIVERY_MODE, String.valueOf(deliveryMode), "0, 1 or 2 (2 is persistent)");
    }
    int prefetch = metadata.getInt(PREFETCH_COUNT, 0);
    if (prefetch < 0 || prefetch > MAX_PREFETCH) {
      throw invalid(metadata, PREFETCH_COUNT, String.valueOf(prefetch), "0 to " + MAX_PREFETCH);
    }
    long maxLen = nonNegative(metadata, MAX_LEN);
    long maxLenBytes = nonNegative(metadata, MAX_LEN_BYTES);
    ExchangeKind kind = switch (metadata.getString(EXCHANGE_KIND, "fanout")) {
      case "fanout" -> ExchangeKind.FANOUT;
      case "topic" -> ExchangeKind.TOPIC;
      default -> throw invalid(metadata, EXCHANGE_KIND, metadata.getString(EXCHANGE_KIND, ""), "fanout or topic");
    };
    Duration reconnectWait = metadata.get(RECONNECT_WAIT_SECONDS).isPresent()
        ? Duration.ofSeconds(metadata.getLong(RECONNECT_WAIT_SECONDS, 0))
        : metadata.getDuration(RECONNECT_WAIT, DEFAULT_RECONNECT_WAIT, ChronoUnit.SECONDS);
    if (reconnectWait.isNegative() || reconnectWait.isZero()) {
      String key = metadata.get(RECONNECT_WAIT_SECONDS).isPresent() ? RECONNECT_WAIT_SECONDS : RECONNECT_WAIT;
      throw invalid(metadata, key, metadata.get(key).orElse(""), "a duration greater than zero");
    }
    Duration publishTimeout = metadata.getDuration(PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT, ChronoUnit.MILLIS);
    if (publishTimeout.isNegative() || publishTimeout.isZero()) {
      throw invalid(metadata, PUBLISH_TIMEOUT, metadata.get(PUBLISH_TIMEOUT).orElse(""), "a duration greater than zero");
    }
    Duration requeueDelay = metadata.getDuration(REQUEUE_DELAY, DEFAULT_REQUEUE_DELAY, ChronoUnit.MILLIS);
    OptionalLong ttl = OptionalLong.empty();
    Optional<String> rawTtl = metadata.get(TTL_IN_SECONDS);
    if (rawTtl.isPresent()) {
      long seconds = metadata.getLong(TTL_IN_SECONDS, 0);
      if (seconds <= 0 || seconds > MessageTtl.MAX_SECONDS) {
        throw invalid(metadata, TTL_IN_SECONDS, rawTtl.get(), "a number of seconds from 1 to " + MessageTtl.MAX_SECONDS);
      }
      ttl = OptionalLong.of(seconds);
    }
    boolean requeue = metadata.getBoolean(REQUEUE_IN_FAILURE, true);
    boolean deadLetter = metadata.getBoolean(ENABLE_DEAD_LETTER, false);
    if (!requeue && !deadLetter) {
      throw invalid(metadata, REQUEUE_IN_FAILURE, "false",
          "true unless " + ENABLE_DEAD_LETTER + " is true: without a dead-letter queue a failed message would be "
              + "lost, and delivery here is at-least-once (the runtime already retries and dead-letters by policy)");
    }
    return new RabbitMqSettings(uri, address, metadata.getBoolean(DURABLE, true),
        metadata.getBoolean(DELETED_WHEN_UNUSED, false), deliveryMode, requeue,
        prefetch, maxLen, maxLenBytes, kind, metadata.getBoolean(PUBLISHER_CONFIRM, true), reconnectWait,
        publishTimeout, deadLetter, ttl, requeueDelay);
  }

  /** The URI with its password replaced by {@code ***}, for messages. */
  static String redact(String uri) {
    return PASSWORD_IN_URI.matcher(uri).replaceFirst("$1:***@");
  }

  /** Checks the URI as amqp-client will read it, without ever echoing the password. */
  private static String addressOf(Metadata metadata, String key, String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw invalid(metadata, key, redact(uri), "an AMQP URI such as amqp://user:password@host:5672/vhost");
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
      throw invalid(metadata, key, redact(uri), "an AMQP URI starting with amqp:// or amqps://");
    }
    String host = parsed.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid(metadata, key, redact(uri), "an AMQP URI with a host, such as amqp://127.0.0.1:5672");
    }
    int port = parsed.getPort() > 0 ? parsed.getPort() : scheme.equals("amqps") ? 5671 : 5672;
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  private static long nonNegative(Metadata metadata, String key) {
    long value = metadata.getLong(key, 0);
    if (value < 0) {
      throw invalid(metadata, key, String.valueOf(value), "0 or more");
    }
    return value;
  }

  private static ComponentException invalid(Metadata metadata, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + metadata.componentName()
        + "' is '" + value + "', expected " + expected);
  }

  @Override
  public String toString() {
    // The URI carries the password: only the address appears in logs.
    return "RabbitMqSettings[" + address + ", exchangeKind=" + exchangeKind.amqpName() + ", durable=" + durable
        + ", deletedWhenUnused=" + deletedWhenUnused + ", deliveryMode=" + deliveryMode
        + ", publisherConfirm=" + publisherConfirm + ", enableDeadLetter=" + enableDeadLetter + "]";
  }
}
