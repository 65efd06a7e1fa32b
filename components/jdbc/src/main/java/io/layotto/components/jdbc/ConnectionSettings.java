package io.layotto.components.jdbc;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Where and how to connect, parsed from a {@code connectionString}. The credentials are kept out of
 * the JDBC URL and the driver properties so that nothing which logs or reports those ever shows
 * the password.
 *
 * @param hosts one or more servers, in the order the driver should try them
 * @param database the database to connect to; null for the server default
 * @param properties driver properties (connector-specific names), never {@code user}/{@code password}
 */
public record ConnectionSettings(List<HostPort> hosts, @Nullable String database, @Nullable String user,
    @Nullable String password, Map<String, String> properties) {

  /** One server address. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public ConnectionSettings {
    hosts = List.copyOf(hosts);
    properties = Map.copyOf(properties);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one host");
    }
  }

  /** {@code host:port/database}, for error messages: never the password. */
  public String describe() {
    String where = hosts.stream().map(HostPort::toString).collect(Collectors.joining(","));
    return where + "/" + (database == null ? "" : database);
  }

  @Override
  public String toString() {
    return "ConnectionSettings[" + describe() + ", user=" + user + ", properties=" + properties.keySet() + "]";
  }
}
