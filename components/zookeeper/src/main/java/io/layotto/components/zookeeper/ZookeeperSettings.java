package io.layotto.components.zookeeper;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Connection settings shared by the ZooKeeper lock store and sequencer, parsed once from Layotto's
 * metadata. Layotto's Go component reads the capitalised {@code SessionTimeout}/{@code LogInfo};
 * its sample configs write {@code sessionTimeout}/{@code logInfo}: both spellings are accepted.
 *
 * @param connectString Curator's comma-separated {@code host:port} list
 * @param password digest credentials ({@code user:password}) added to the session, or null
 * @param basePath the znode under which this component keeps its nodes, without trailing slash
 */
record ZookeeperSettings(String connectString, @Nullable String password, Duration sessionTimeout,
    Duration connectionTimeout, boolean logInfo, String basePath) {

  static final String HOSTS = "zookeeperHosts";
  static final String PASSWORD = "zookeeperPassword";
  static final String SESSION_TIMEOUT = "sessionTimeout";
  static final String SESSION_TIMEOUT_LAYOTTO = "SessionTimeout";
  static final String CONNECTION_TIMEOUT = "connectionTimeout";
  static final String LOG_INFO = "logInfo";
  static final String LOG_INFO_LAYOTTO = "LogInfo";
  static final String KEY_PREFIX_PATH = "keyPrefixPath";

  static MetadataSchema schema(String defaultBasePath) {
    return schemaBuilder(defaultBasePath).build();
  }

  /** The keys every zookeeper component takes; a component adds its own before building. */
  static MetadataSchema.Builder schemaBuilder(String defaultBasePath) {
    return MetadataSchema.builder()
        .required(HOSTS, Type.STRING, "ZooKeeper servers, host:port separated by ';' (or ',')")
        .optional(PASSWORD, Type.SECRET, null, "digest credentials 'user:password' added to the session")
        .optional(SESSION_TIMEOUT, Type.DURATION, "5s",
            "ZooKeeper session timeout (plain number = seconds); the server clamps it to 2..20 ticks")
        .optional(SESSION_TIMEOUT_LAYOTTO, Type.DURATION, null, "Layotto's spelling of sessionTimeout")
        .optional(CONNECTION_TIMEOUT, Type.DURATION, "3s",
            "how long a call waits for a connection before failing UNAVAILABLE (plain number = seconds)")
        .optional(LOG_INFO, Type.BOOL, "false", "log connection state changes at INFO")
        .optional(LOG_INFO_LAYOTTO, Type.BOOL, null, "Layotto's spelling of logInfo")
        .optional(KEY_PREFIX_PATH, Type.STRING, defaultBasePath, "znode under which the component keeps its nodes");
  }

  static ZookeeperSettings from(Metadata metadata, String defaultBasePath) {
    String hosts = Arrays.stream(metadata.require(HOSTS).split("[;,]"))
        .map(String::trim).filter(h -> !h.isEmpty()).collect(Collectors.joining(","));
    if (hosts.isEmpty()) {
      throw invalid(metadata, HOSTS, metadata.require(HOSTS), "host:port entries separated by ';'");
    }
    Duration session = metadata.getDuration(SESSION_TIMEOUT_LAYOTTO,
        metadata.getDuration(SESSION_TIMEOUT, Duration.ofSeconds(5), ChronoUnit.SECONDS), ChronoUnit.SECONDS);
    Duration connection = metadata.getDuration(CONNECTION_TIMEOUT, Duration.ofSeconds(3), ChronoUnit.SECONDS);
    requirePositive(metadata, SESSION_TIMEOUT, session);
    requirePositive(metadata, CONNECTION_TIMEOUT, connection);
    boolean logInfo = metadata.getBoolean(LOG_INFO_LAYOTTO, metadata.getBoolean(LOG_INFO, false));
    String base = metadata.getString(KEY_PREFIX_PATH, defaultBasePath);
    if (!base.startsWith("/") || base.contains("//")) {
      throw invalid(metadata, KEY_PREFIX_PATH, base, "an absolute znode path such as " + defaultBasePath);
    }
    while (base.length() > 1 && base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return new ZookeeperSettings(hosts, metadata.get(PASSWORD).orElse(null), session, connection, logInfo,
        base.equals("/") ? "" : base);
  }

  private static void requirePositive(Metadata metadata, String key, Duration value) {
    if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
      throw invalid(metadata, key, value.toString(), "a positive duration below 24 days");
    }
  }

  private static ComponentException invalid(Metadata metadata, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + metadata.componentName()
        + "' is '" + value + "', expected " + expected);
  }

  /** The znode of a (runtime-prefixed) lock resource or sequencer key under {@link #basePath()}. */
  String path(String name) {
    return basePath + "/" + ZnodeNames.encode(name);
  }
}
