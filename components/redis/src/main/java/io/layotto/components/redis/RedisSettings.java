package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Connection settings of a Redis component, read from Layotto/Dapr metadata keys.
 *
 * @param commandTimeout how long one command may take before it fails as unavailable
 * @param defaultTtlSeconds expiry applied to writes that carry no {@code ttlInSeconds} of their own
 */
public record RedisSettings(String host, int port, @Nullable String username, @Nullable String password,
    int database, boolean tls, int maxRetries, Duration maxRetryBackoff, Duration dialTimeout,
    Duration commandTimeout, OptionalLong defaultTtlSeconds) {

  public static final String REDIS_HOST = "redisHost";
  public static final String REDIS_PASSWORD = "redisPassword";
  public static final String REDIS_USERNAME = "redisUsername";
  public static final String REDIS_DB = "redisDB";
  /** Layotto's name for the database index (its lock and sequencer components use it). */
  public static final String DB_ALIAS = "db";
  public static final String ENABLE_TLS = "enableTLS";
  public static final String MAX_RETRIES = "maxRetries";
  public static final String MAX_RETRY_BACKOFF = "maxRetryBackoff";
  public static final String DIAL_TIMEOUT = "dialTimeout";
  public static final String READ_TIMEOUT = "readTimeout";
  public static final String WRITE_TIMEOUT = "writeTimeout";
  public static final String TTL_IN_SECONDS = "ttlInSeconds";

  static final int DEFAULT_PORT = 6379;
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);
  static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(2);
  static final int DEFAULT_MAX_RETRIES = 3;

  /** The keys the Redis state store understands: the connection keys and a default expiry. */
  public static final MetadataSchema SCHEMA = connectionSchema()
      .optional(TTL_IN_SECONDS, Type.INT, null,
          "default expiry in seconds of writes that carry no ttlInSeconds; unset means no expiry")
      .build();

  /** The connection keys every Redis component understands; components add their own keys. */
  public static MetadataSchema.Builder connectionSchema() {
    return MetadataSchema.builder()
        .required(REDIS_HOST, Type.STRING, "Redis address as host:port, e.g. 127.0.0.1:6379")
        .optional(REDIS_PASSWORD, Type.SECRET, null, "password (AUTH); empty for none")
        .optional(REDIS_USERNAME, Type.STRING, null, "ACL user name (Redis 6+); needs redisPassword")
        .optional(REDIS_DB, Type.INT, "0", "database index to SELECT")
        .optional(DB_ALIAS, Type.INT, null, "Layotto's alias of redisDB; redisDB wins when both are set")
        .optional(ENABLE_TLS, Type.BOOL, "false", "connect with TLS; the server certificate is not verified, as in Dapr")
        .optional(MAX_RETRIES, Type.INT, String.valueOf(DEFAULT_MAX_RETRIES),
            "retries of a read (get, bulk get) that failed on a broken connection")
        .optional(MAX_RETRY_BACKOFF, Type.DURATION, "2s",
            "longest pause between reconnect attempts and read retries; a bare number counts nanoseconds, as in Dapr")
        .optional(DIAL_TIMEOUT, Type.DURATION, "5s", "timeout of opening a connection; a bare number counts milliseconds")
        .optional(READ_TIMEOUT, Type.DURATION, "3s",
            "command timeout (the larger of readTimeout and writeTimeout); a bare number counts milliseconds")
        .optional(WRITE_TIMEOUT, Type.DURATION, "3s",
            "command timeout (the larger of readTimeout and writeTimeout); a bare number counts milliseconds");
  }

  public RedisSettings {
    if (password != null && password.isEmpty()) {
      password = null;
    }
    if (username != null && username.isEmpty()) {
      username = null;
    }
  }

  /** Reads and checks the metadata; every bad value is an INVALID_ARGUMENT naming key and value. */
  public static RedisSettings from(Metadata metadata) {
    String address = metadata.require(REDIS_HOST);
    HostAndPort hostAndPort = parseAddress(metadata.componentName(), address);
    int db = metadata.get(REDIS_DB).isPresent()
        ? metadata.getInt(REDIS_DB, 0)
        : metadata.getInt(DB_ALIAS, 0);
    String dbKey = metadata.get(REDIS_DB).isPresent() ? REDIS_DB : DB_ALIAS;
    if (db < 0) {
      throw invalid(metadata, dbKey, String.valueOf(db), "a database index of 0 or more");
    }
    int maxRetries = metadata.getInt(MAX_RETRIES, DEFAULT_MAX_RETRIES);
    if (maxRetries < 0) {
      throw invalid(metadata, MAX_RETRIES, String.valueOf(maxRetries), "0 or more");
    }
    Duration backoff = positive(metadata, MAX_RETRY_BACKOFF,
        metadata.getDuration(MAX_RETRY_BACKOFF, DEFAULT_MAX_RETRY_BACKOFF, ChronoUnit.NANOS));
    Duration dial = positive(metadata, DIAL_TIMEOUT,
        metadata.getDuration(DIAL_TIMEOUT, DEFAULT_DIAL_TIMEOUT, ChronoUnit.MILLIS));
    Duration read = positive(metadata, READ_TIMEOUT,
        metadata.getDuration(READ_TIMEOUT, DEFAULT_COMMAND_TIMEOUT, ChronoUnit.MILLIS));
    Duration write = positive(metadata, WRITE_TIMEOUT,
        metadata.getDuration(WRITE_TIMEOUT, DEFAULT_COMMAND_TIMEOUT, ChronoUnit.MILLIS));
    OptionalLong ttl = OptionalLong.empty();
    Optional<String> rawTtl = metadata.get(TTL_IN_SECONDS);
    if (rawTtl.isPresent()) {
      long seconds = metadata.getLong(TTL_IN_SECONDS, -1);
      if (seconds != -1 && (seconds <= 0 || seconds > Integer.MAX_VALUE)) {
        throw invalid(metadata, TTL_IN_SECONDS, rawTtl.get(),
            "a number of seconds from 1 to " + Integer.MAX_VALUE + ", or -1 for no expiry");
      }
      ttl = seconds == -1 ? OptionalLong.empty() : OptionalLong.of(seconds);
    }
    String username = metadata.get(REDIS_USERNAME).orElse(null);
    String password = metadata.get(REDIS_PASSWORD).orElse(null);
    if (username != null && password == null) {
      throw ComponentException.invalidArgument("metadata '" + REDIS_USERNAME + "' of component '"
          + metadata.componentName() + "' is set but '" + REDIS_PASSWORD + "' is empty; Redis ACL login needs both");
    }
    return new RedisSettings(hostAndPort.host(), hostAndPort.port(), username, password, db,
        metadata.getBoolean(ENABLE_TLS, false), maxRetries, backoff, dial,
        read.compareTo(write) >= 0 ? read : write, ttl);
  }

  /** {@code host:port} as written in the config, for messages. */
  public String address() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  private record HostAndPort(String host, int port) {}

  /** Accepts {@code host:port}, {@code [ipv6]:port} and a bare host (port 6379). */
  private static HostAndPort parseAddress(String component, String address) {
    String host;
    @Nullable String port;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0) {
        throw badAddress(component, address);
      }
      host = address.substring(1, close);
      String rest = address.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        throw badAddress(component, address);
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else {
      int colon = address.lastIndexOf(':');
      if (colon >= 0 && address.indexOf(':') != colon) {
        throw badAddress(component, address);
      }
      host = colon < 0 ? address : address.substring(0, colon);
      port = colon < 0 ? null : address.substring(colon + 1);
    }
    if (host.isEmpty() || host.contains("/")) {
      throw badAddress(component, address);
    }
    if (port == null) {
      return new HostAndPort(host, DEFAULT_PORT);
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw badAddress(component, address);
      }
      return new HostAndPort(host, p);
    } catch (NumberFormatException e) {
      throw badAddress(component, address);
    }
  }

  private static ComponentException badAddress(String component, String address) {
    return ComponentException.invalidArgument("metadata '" + REDIS_HOST + "' of component '" + component
        + "' is '" + address + "', expected host:port such as 127.0.0.1:6379");
  }

  static Duration positive(Metadata metadata, String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw invalid(metadata, key, metadata.get(key).orElse(value.toString()), "a duration greater than zero");
    }
    return value;
  }

  static ComponentException invalid(Metadata metadata, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + metadata.componentName()
        + "' is '" + value + "', expected " + expected);
  }

  @Override
  public String toString() {
    // The password never appears in logs.
    return "RedisSettings[" + address() + ", db=" + database + ", tls=" + tls
        + (username != null ? ", user=" + username : "") + (password != null ? ", password=***" : "")
        + ", commandTimeout=" + commandTimeout + "]";
  }
}
