package io.layotto.components.nats;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a JetStream pub/sub component, read from Dapr's {@code jetstream} metadata keys.
 *
 * @param servers the server URLs of {@code natsURL} (comma-separated in the config)
 * @param streamName the stream every topic is stored in; null means one stream per topic, found by
 *     subject or created on demand
 * @param consumer defaults of the durable consumers created for subscriptions
 * @param nakDelay first redelivery delay of a message whose handler failed; doubles per delivery
 * @param newStreams storage and replicas of the streams this component creates
 */
public record JetStreamSettings(List<String> servers, @Nullable String connectionName, @Nullable String jwt,
    @Nullable String seedKey, @Nullable String token, @Nullable String user, @Nullable String password,
    @Nullable String streamName, StreamSettings newStreams, ConsumerSettings consumer, Duration nakDelay,
    Duration requestTimeout) {

  /** How the component creates streams: Dapr's {@code memoryStorage} and {@code replicas}. */
  public record StreamSettings(boolean memoryStorage, int replicas) {}

  public static final String NATS_URL = "natsURL";
  public static final String JWT = "jwt";
  public static final String SEED_KEY = "seedKey";
  public static final String TOKEN = "token";
  public static final String USER = "user";
  public static final String PASSWORD = "password";
  public static final String NAME = "name";
  public static final String STREAM_NAME = "streamName";
  public static final String CONSUMER_ID = "consumerID";
  public static final String NAK_DELAY = "nakDelay";
  public static final String MEMORY_STORAGE = "memoryStorage";
  public static final String REPLICAS = "replicas";
  public static final String REQUEST_TIMEOUT = "requestTimeout";

  static final Duration DEFAULT_NAK_DELAY = Duration.ofMillis(500);
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** The keys the JetStream pub/sub understands. */
  public static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .required(NATS_URL, Type.STRING, "NATS server URL, e.g. nats://127.0.0.1:4222; several may be given comma-separated")
      .optional(JWT, Type.SECRET, null, "user JWT for decentralized auth; needs seedKey")
      .optional(SEED_KEY, Type.SECRET, null, "user NKey seed signing the server nonce; needs jwt")
      .optional(TOKEN, Type.SECRET, null, "authentication token")
      .optional(USER, Type.STRING, null, "user name; needs password")
      .optional(PASSWORD, Type.SECRET, null, "password of user")
      .optional(NAME, Type.STRING, null, "connection name shown by the server's monitoring")
      .optional(STREAM_NAME, Type.STRING, null,
          "stream holding every topic; created if missing and extended with a topic's subject when needed."
              + " Unset: each topic uses the stream whose subjects cover it, or a file-backed stream"
              + " created for it on first use")
      .optional(MEMORY_STORAGE, Type.BOOL, "false",
          "keep the streams this component creates in memory instead of files (lost when the server restarts)")
      .optional(REPLICAS, Type.INT, "1", "replicas of the streams this component creates (1 to 5; clustered servers)")
      .optional(ConsumerSettings.DURABLE_NAME, Type.STRING, null,
          "base of the durable consumer names instead of the consumer group; the topic is always appended")
      .optional(ConsumerSettings.ACK_WAIT, Type.DURATION, "30s",
          "how long the server waits for an ack before redelivering; in-flight messages are kept alive meanwhile")
      .optional(ConsumerSettings.MAX_DELIVER, Type.INT, "-1", "most deliveries of one message; -1 for no limit")
      .optional(ConsumerSettings.MAX_ACK_PENDING, Type.INT, "1000",
          "most messages of one consumer group delivered and not yet acked across all its subscribers")
      .oneOf(ConsumerSettings.DELIVER_POLICY, "all", List.of("all", "new", "last"),
          "where a new consumer group starts in the stream")
      .optional(CONSUMER_ID, Type.STRING, null,
          "consumer group of the subscriptions; the runtime passes it as each subscription's consumer group")
      .optional(NAK_DELAY, Type.DURATION, "500ms",
          "redelivery delay after a failed delivery, doubled per further failure up to 30s; a bare number counts milliseconds")
      .optional(REQUEST_TIMEOUT, Type.DURATION, "5s",
          "how long a publish or a JetStream API call may wait for the server; a bare number counts milliseconds")
      .build();

  public JetStreamSettings {
    servers = List.copyOf(servers);
  }

  /** Reads and checks the metadata; every bad value is an INVALID_ARGUMENT naming key and value. */
  public static JetStreamSettings from(Metadata metadata) {
    String component = metadata.componentName();
    String where = "component '" + component + "'";
    String url = metadata.require(NATS_URL);
    List<String> servers = new ArrayList<>();
    for (String part : url.split(",")) {
      servers.add(checkUrl(where, url, part.trim()));
    }
    String jwt = metadata.get(JWT).orElse(null);
    String seed = metadata.get(SEED_KEY).orElse(null);
    if ((jwt == null) != (seed == null)) {
      throw ComponentException.invalidArgument("metadata '" + (jwt == null ? JWT : SEED_KEY) + "' of component '"
          + component + "' is empty but '" + (jwt == null ? SEED_KEY : JWT) + "' is set; JWT login needs both");
    }
    String user = metadata.get(USER).orElse(null);
    String password = metadata.get(PASSWORD).orElse(null);
    if (user == null && password != null) {
      throw ComponentException.invalidArgument("metadata '" + PASSWORD + "' of component '" + component
          + "' is set but '" + USER + "' is empty");
    }
    String stream = metadata.get(STREAM_NAME).orElse(null);
    if (stream != null && !NatsNames.isValidName(stream)) {
      throw invalid(where, STREAM_NAME, stream,
          "a stream name without spaces, '.', '*', '>', '/' or '\\'");
    }
    Duration nakDelay = positive(where, NAK_DELAY, metadata.get(NAK_DELAY).orElse(""),
        metadata.getDuration(NAK_DELAY, DEFAULT_NAK_DELAY, ChronoUnit.MILLIS));
    Duration requestTimeout = positive(where, REQUEST_TIMEOUT, metadata.get(REQUEST_TIMEOUT).orElse(""),
        metadata.getDuration(REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, ChronoUnit.MILLIS));
    int replicas = metadata.getInt(REPLICAS, 1);
    if (replicas < 1 || replicas > 5) {
      throw invalid(where, REPLICAS, String.valueOf(replicas), "a number of replicas from 1 to 5");
    }
    StreamSettings newStreams = new StreamSettings(metadata.getBoolean(MEMORY_STORAGE, false), replicas);
    ConsumerSettings consumer = ConsumerSettings.DEFAULTS.overriddenBy(metadata.asMap(), where);
    return new JetStreamSettings(servers, metadata.get(NAME).orElse(null), jwt, seed,
        metadata.get(TOKEN).orElse(null), user, password, stream, newStreams, consumer, nakDelay, requestTimeout);
  }

  /** The servers as configured, for messages. */
  public String natsUrl() {
    return String.join(",", servers);
  }

  private static String checkUrl(String where, String whole, String url) {
    try {
      URI uri = new URI(url.contains("://") ? url : "nats://" + url);
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !List.of("nats", "tls", "ws", "wss").contains(scheme)) {
        throw invalid(where, NATS_URL, whole, "a URL such as nats://127.0.0.1:4222");
      }
      return url;
    } catch (URISyntaxException e) {
      throw invalid(where, NATS_URL, whole, "a URL such as nats://127.0.0.1:4222");
    }
  }

  static Duration positive(String where, String key, String raw, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw invalid(where, key, raw, "a duration greater than zero");
    }
    return value;
  }

  /** @param where whose metadata it is, e.g. {@code component 'pubsub'} */
  static ComponentException invalid(String where, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of " + where + " is '" + value
        + "', expected " + expected);
  }

  @Override
  public String toString() {
    // Secrets never appear in logs.
    return "JetStreamSettings[" + natsUrl() + (streamName != null ? ", stream=" + streamName : "")
        + (user != null ? ", user=" + user : "") + (token != null ? ", token=***" : "")
        + (jwt != null ? ", jwt=***" : "") + ", " + consumer + "]";
  }
}
