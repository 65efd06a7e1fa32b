package io.layotto.components.etcd;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Connection settings of an etcd component, read from Layotto's metadata keys.
 *
 * @param endpoints URIs such as {@code http://127.0.0.1:2379}
 * @param keyPrefix where the component's keys live, normalised to start and end with {@code /}
 */
record EtcdSettings(List<String> endpoints, @Nullable String username, @Nullable String password,
    Duration dialTimeout, Duration requestTimeout, String keyPrefix) {

  static final String ENDPOINTS = "endpoints";
  /** Layotto's config_store top-level {@code address}, folded into the metadata by the runtime. */
  static final String ADDRESS = "address";
  static final String DIAL_TIMEOUT = "dialTimeout";
  /** Layotto's config_store top-level {@code timeout} (seconds), an alias of dialTimeout. */
  static final String TIMEOUT = "timeout";
  static final String REQUEST_TIMEOUT = "requestTimeout";
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String KEY_PREFIX_PATH = "keyPrefixPath";
  static final String DEFAULT_PREFIX = "/layotto-config/";

  static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .optional(ENDPOINTS, Type.STRING, null, "etcd endpoints, ';' or ',' separated, e.g. 127.0.0.1:2379 "
          + "(or the config_store's top-level address list); one of the two is required")
      .optional(ADDRESS, Type.STRING, null, "the config_store's top-level address list, comma-separated")
      .optional(DIAL_TIMEOUT, Type.DURATION, "5s", "timeout of connecting; a bare number counts seconds")
      .optional(TIMEOUT, Type.DURATION, null, "Layotto's config_store timeout (seconds); alias of dialTimeout")
      .optional(REQUEST_TIMEOUT, Type.DURATION, "5s", "timeout of one request; a bare number counts seconds")
      .optional(USERNAME, Type.STRING, null, "etcd user (needs password)")
      .optional(PASSWORD, Type.SECRET, null, "etcd password")
      .optional(KEY_PREFIX_PATH, Type.STRING, DEFAULT_PREFIX, "where the store's keys live")
      .build();

  static EtcdSettings from(Metadata metadata) {
    String raw = metadata.get(ENDPOINTS).or(() -> metadata.get(ADDRESS)).orElseThrow(() ->
        ComponentException.invalidArgument("metadata '" + ENDPOINTS + "' (or the config_store's address) of "
            + "component '" + metadata.componentName() + "' is required, e.g. 127.0.0.1:2379"));
    List<String> endpoints = new ArrayList<>();
    for (String part : raw.split("[;,]")) {
      String endpoint = part.trim();
      if (endpoint.isEmpty()) {
        continue;
      }
      if (!endpoint.matches("(https?://)?[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}")) {
        throw ComponentException.invalidArgument("metadata '" + ENDPOINTS + "' of component '"
            + metadata.componentName() + "' has '" + endpoint + "', expected host:port such as 127.0.0.1:2379");
      }
      endpoints.add(endpoint.contains("://") ? endpoint : "http://" + endpoint);
    }
    if (endpoints.isEmpty()) {
      throw ComponentException.invalidArgument("metadata '" + ENDPOINTS + "' of component '"
          + metadata.componentName() + "' names no endpoint");
    }
    Duration dial = metadata.get(DIAL_TIMEOUT).isPresent()
        ? metadata.getDuration(DIAL_TIMEOUT, Duration.ofSeconds(5), ChronoUnit.SECONDS)
        : metadata.getDuration(TIMEOUT, Duration.ofSeconds(5), ChronoUnit.SECONDS);
    Duration request = metadata.getDuration(REQUEST_TIMEOUT, Duration.ofSeconds(5), ChronoUnit.SECONDS);
    for (var entry : List.of(java.util.Map.entry(DIAL_TIMEOUT, dial), java.util.Map.entry(REQUEST_TIMEOUT, request))) {
      if (entry.getValue().isZero() || entry.getValue().isNegative()) {
        throw ComponentException.invalidArgument("metadata '" + entry.getKey() + "' of component '"
            + metadata.componentName() + "' must be greater than zero");
      }
    }
    String username = metadata.get(USERNAME).orElse(null);
    String password = metadata.get(PASSWORD).orElse(null);
    if (username != null && password == null) {
      throw ComponentException.invalidArgument("metadata '" + USERNAME + "' of component '"
          + metadata.componentName() + "' is set but '" + PASSWORD + "' is empty");
    }
    String prefix = metadata.getString(KEY_PREFIX_PATH, DEFAULT_PREFIX);
    prefix = (prefix.startsWith("/") ? "" : "/") + prefix + (prefix.endsWith("/") ? "" : "/");
    return new EtcdSettings(List.copyOf(endpoints), username, password, dial, request, prefix);
  }

  @Override
  public String toString() {
    return "EtcdSettings[" + endpoints + (username != null ? ", user=" + username : "")
        + (password != null ? ", password=***" : "") + ", prefix=" + keyPrefix + "]";
  }
}
