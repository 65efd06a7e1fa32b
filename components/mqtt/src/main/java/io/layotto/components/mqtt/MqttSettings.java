package io.layotto.components.mqtt;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an MQTT pub/sub component, read from Dapr's MQTT metadata keys plus a few of our own.
 *
 * @param version MQTT 5 ({@code mqtt}) or 3.1.1 ({@code mqtt3})
 * @param address {@code host:port} of the broker, safe to show
 * @param username from the URL's user info; null for anonymous
 * @param password from the URL's user info; never logged or shown
 * @param tls whether the URL asks for TLS ({@code ssl://}, {@code tls://}, {@code mqtts://}, {@code tcps://})
 * @param caCertPem PEM certificates trusted for the broker; null uses the JVM's trust store
 * @param qos 1 or 2; QoS 0 is refused (at-most-once)
 * @param producerId client id of the publishing connection; null makes a unique one per component
 * @param instanceId part of every subscriber's client id that tells this sidecar from its replicas
 * @param sessionExpiry MQTT 5 session expiry of persistent subscriber sessions
 * @param backOffMaxRetries local redeliveries of a failed message per connection; -1 for no limit
 * @param redeliveryDelay pause before a failed message is handed to the subscription's handler again
 */
public record MqttSettings(Version version, String host, int port, @Nullable String username,
    @Nullable String password, boolean tls, @Nullable String caCertPem, int qos, boolean retain,
    boolean cleanSession, @Nullable String producerId, String instanceId, boolean sharedSubscriptions,
    Duration sessionExpiry, int backOffMaxRetries, Duration redeliveryDelay, Duration reconnectWait,
    Duration keepAlive, Duration connectTimeout, Duration publishTimeout) {

  /** The protocol version of a component type. */
  public enum Version {
    MQTT_5("mqtt", "MQTT 5"),
    MQTT_3("mqtt3", "MQTT 3.1.1");

    private final String type;
    private final String display;

    Version(String type, String display) {
      this.type = type;
      this.display = display;
    }

    public String type() {
      return type;
    }

    @Override
    public String toString() {
      return display;
    }
  }

  public static final String URL = "url";
  public static final String QOS = "qos";
  public static final String RETAIN = "retain";
  public static final String CLEAN_SESSION = "cleanSession";
  public static final String CONSUMER_ID = "consumerID";
  public static final String PRODUCER_ID = "producerID";
  public static final String INSTANCE_ID = "instanceID";
  public static final String SHARED_SUBSCRIPTIONS = "sharedSubscriptions";
  public static final String SESSION_EXPIRY = "sessionExpiry";
  public static final String BACK_OFF_MAX_RETRIES = "backOffMaxRetries";
  public static final String REDELIVERY_DELAY = "redeliveryDelay";
  public static final String RECONNECT_WAIT = "reconnectWait";
  public static final String KEEP_ALIVE = "keepAlive";
  public static final String CONNECT_TIMEOUT = "connectTimeout";
  public static final String PUBLISH_TIMEOUT = "publishTimeout";
  public static final String CA_CERT = "caCert";
  public static final String CLIENT_CERT = "clientCert";
  public static final String CLIENT_KEY = "clientKey";

  static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofDays(1);
  static final Duration DEFAULT_REDELIVERY_DELAY = Duration.ofSeconds(1);
  static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(2);
  static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
  /** MQTT 5 session expiry is an unsigned 32-bit number of seconds; its maximum means "never". */
  static final long MAX_SESSION_EXPIRY_SECONDS = 0xFFFF_FFFFL;
  /** MQTT keep alive is an unsigned 16-bit number of seconds. */
  static final long MAX_KEEP_ALIVE_SECONDS = 65_535;

  private static final Set<String> PLAIN_SCHEMES = Set.of("tcp", "mqtt");
  private static final Set<String> TLS_SCHEMES = Set.of("ssl", "tls", "mqtts", "tcps");

  /** The keys of type {@code version}; MQTT 3.1.1 has no session expiry. */
  public static MetadataSchema schema(Version version) {
    MetadataSchema.Builder b = MetadataSchema.builder()
        .required(URL, Type.SECRET, "broker URL tcp://[user[:password]@]host[:port] (default port 1883), or "
            + "ssl://... for TLS (default port 8883); mqtt:// and mqtts:// are accepted too")
        .optional(QOS, Type.INT, "1", "QoS of publishes and subscriptions: 1 (at least once) or 2 (exactly once "
            + "between client and broker); 0 is refused because it cannot redeliver")
        .optional(RETAIN, Type.BOOL, "false", "publish with the retain flag (the broker keeps the last message of a "
            + "topic for future subscribers)")
        .optional(CLEAN_SESSION, Type.BOOL, "false", "start every subscriber connection with a clean session; true "
            + "gives up delivery of what was published or left unacked while a subscriber was away")
        .optional(CONSUMER_ID, Type.STRING, null, "consumer group of the subscriptions (the runtime defaults it to "
            + "the app id): the share name of the shared subscriptions and the first part of the subscribers' client ids")
        .optional(PRODUCER_ID, Type.STRING, null, "client id of the publishing connection; default "
            + "<instanceID>-<component>-pub-<random>, unique per start")
        .optional(INSTANCE_ID, Type.STRING, "the host name", "tells this sidecar's subscriber sessions from its "
            + "replicas': client id <consumerID>-<instanceID>-<topic hash>-<n>; must be stable across restarts and "
            + "unique among replicas")
        .optional(SHARED_SUBSCRIPTIONS, Type.BOOL, "true", "subscribe to $share/<consumerID>/<topic>, so the "
            + "subscriptions of one consumer group compete for messages; false: every subscription gets every message")
        .optional(BACK_OFF_MAX_RETRIES, Type.INT, "-1", "how often a message the handler failed is handed to it "
            + "again on the same connection; -1 without limit. Past the limit it stays unacked until the broker "
            + "resends it on the next connection, holding back the acks of later messages (acks go in order)")
        .optional(REDELIVERY_DELAY, Type.DURATION, "1s", "pause before a failed message is handed out again; a "
            + "bare number counts milliseconds")
        .optional(RECONNECT_WAIT, Type.DURATION, "2s", "pause between reconnect attempts after a connection was "
            + "lost; a bare number counts seconds")
        .optional(KEEP_ALIVE, Type.DURATION, "30s", "MQTT keep alive (1s to 65535s); a dead connection is noticed "
            + "after 1.5 times this; a bare number counts seconds")
        .optional(CONNECT_TIMEOUT, Type.DURATION, "10s", "how long start-up and a new subscription wait for the "
            + "broker's CONNACK and SUBACK; a bare number counts seconds")
        .optional(PUBLISH_TIMEOUT, Type.DURATION, "5s", "how long a publish waits for the broker's PUBACK before "
            + "failing as unavailable; a bare number counts milliseconds")
        .optional(CA_CERT, Type.STRING, null, "PEM certificate(s) trusted for the broker's TLS certificate instead "
            + "of the JVM's trust store (ssl:// URLs)")
        .optional(CLIENT_CERT, Type.STRING, null, "not supported: TLS client certificates are refused at start-up")
        .optional(CLIENT_KEY, Type.SECRET, null, "not supported: TLS client certificates are refused at start-up");
    if (version == Version.MQTT_5) {
      b.optional(SESSION_EXPIRY, Type.DURATION, "24h", "how long the broker keeps a subscriber's session (its "
          + "subscription and queued messages) after it disconnected; a bare number counts seconds");
    }
    return b.build();
  }

  public MqttSettings {
    if (qos < 1 || qos > 2) {
      throw new IllegalArgumentException("qos must be 1 or 2, was " + qos);
    }
  }

  /** Reads and checks the metadata; every bad value is an INVALID_ARGUMENT naming key and value. */
  public static MqttSettings from(Metadata metadata, Version version) {
    String url = metadata.require(URL);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid(metadata, URL, redact(url), "a URL such as tcp://127.0.0.1:1883 or ssl://user:password@host:8883");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = TLS_SCHEMES.contains(scheme);
    if (!tls && !PLAIN_SCHEMES.contains(scheme)) {
      throw invalid(metadata, URL, redact(url), "a URL starting with tcp:// or mqtt:// (plain) or ssl://, tls://, "
          + "mqtts://, tcps:// (TLS)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid(metadata, URL, redact(url), "a URL with a host, such as tcp://127.0.0.1:1883");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw invalid(metadata, URL, redact(url), "a URL without path or query: scheme://[user[:password]@]host[:port]");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883;
    String username = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      username = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    int qos = metadata.getInt(QOS, 1);
    if (qos != 1 && qos != 2) {
      throw invalid(metadata, QOS, String.valueOf(qos), "1 or 2: QoS 0 is fire-and-forget, so a message could not "
          + "be delivered again after a failure, and delivery here is at-least-once");
    }
    if (metadata.get(CLIENT_CERT).isPresent() || metadata.get(CLIENT_KEY).isPresent()) {
      String key = metadata.get(CLIENT_CERT).isPresent() ? CLIENT_CERT : CLIENT_KEY;
      throw ComponentException.unsupported("metadata '" + key + "' of component '" + metadata.componentName()
          + "': TLS client certificates are not supported by the " + version.type() + " pub/sub; use the "
          + "user and password of the URL");
    }
    Optional<String> caCert = metadata.get(CA_CERT);
    if (caCert.isPresent() && !tls) {
      throw invalid(metadata, CA_CERT, "(a certificate)", "no value unless the URL asks for TLS (ssl://)");
    }
    if (caCert.isPresent() && !caCert.get().contains("-----BEGIN CERTIFICATE-----")) {
      throw invalid(metadata, CA_CERT, "(not PEM)", "PEM text with -----BEGIN CERTIFICATE----- blocks");
    }
    // MQTT 3.1.1 has no session expiry: the key is not in its schema and not read.
    Duration sessionExpiry = version == Version.MQTT_5
        ? metadata.getDuration(SESSION_EXPIRY, DEFAULT_SESSION_EXPIRY, ChronoUnit.SECONDS) : DEFAULT_SESSION_EXPIRY;
    if (sessionExpiry.toSeconds() < 1 || sessionExpiry.toSeconds() > MAX_SESSION_EXPIRY_SECONDS) {
      throw invalid(metadata, SESSION_EXPIRY, metadata.get(SESSION_EXPIRY).orElse(""),
          "a duration from 1s to " + MAX_SESSION_EXPIRY_SECONDS + "s");
    }
    int retries = metadata.getInt(BACK_OFF_MAX_RETRIES, -1);
    if (retries < -1) {
      throw invalid(metadata, BACK_OFF_MAX_RETRIES, String.valueOf(retries), "-1 (no limit) or 0 and more");
    }
    Duration keepAlive = metadata.getDuration(KEEP_ALIVE, DEFAULT_KEEP_ALIVE, ChronoUnit.SECONDS);
    if (keepAlive.toSeconds() < 1 || keepAlive.toSeconds() > MAX_KEEP_ALIVE_SECONDS) {
      throw invalid(metadata, KEEP_ALIVE, metadata.get(KEEP_ALIVE).orElse(""), "a duration from 1s to 65535s");
    }
    return new MqttSettings(version, host, port, username, password, tls, caCert.orElse(null), qos,
        metadata.getBoolean(RETAIN, false), metadata.getBoolean(CLEAN_SESSION, false),
        metadata.get(PRODUCER_ID).orElse(null), metadata.get(INSTANCE_ID).orElseGet(MqttSettings::hostName),
        metadata.getBoolean(SHARED_SUBSCRIPTIONS, true), sessionExpiry, retries,
        nonNegative(metadata, REDELIVERY_DELAY, DEFAULT_REDELIVERY_DELAY, ChronoUnit.MILLIS),
        positive(metadata, RECONNECT_WAIT, DEFAULT_RECONNECT_WAIT, ChronoUnit.SECONDS), keepAlive,
        positive(metadata, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, ChronoUnit.SECONDS),
        positive(metadata, PUBLISH_TIMEOUT, DEFAULT_PUBLISH_TIMEOUT, ChronoUnit.MILLIS));
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URL as a user would write it, with the password replaced by {@code ***}. */
  static String redact(String url) {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@", "$1:***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "layotto";
    }
  }

  private static Duration positive(Metadata metadata, String key, Duration defaultValue, ChronoUnit plainUnit) {
    Duration value = metadata.getDuration(key, defaultValue, plainUnit);
    if (value.isNegative() || value.isZero()) {
      throw invalid(metadata, key, metadata.get(key).orElse(""), "a duration greater than zero");
    }
    return value;
  }

  private static Duration nonNegative(Metadata metadata, String key, Duration defaultValue, ChronoUnit plainUnit) {
    Duration value = metadata.getDuration(key, defaultValue, plainUnit);
    if (value.isNegative()) {
      throw invalid(metadata, key, metadata.get(key).orElse(""), "a duration of zero or more");
    }
    return value;
  }

  private static ComponentException invalid(Metadata metadata, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + metadata.componentName()
        + "' is '" + value + "', expected " + expected);
  }

  @Override
  public String toString() {
    // The password stays out of logs.
    return "MqttSettings[" + version + " at " + address() + (tls ? " (TLS)" : "") + ", qos=" + qos + ", retain="
        + retain + ", cleanSession=" + cleanSession + ", sharedSubscriptions=" + sharedSubscriptions
        + ", instanceID=" + instanceId + (username == null ? "" : ", user=" + username) + "]";
  }
}
