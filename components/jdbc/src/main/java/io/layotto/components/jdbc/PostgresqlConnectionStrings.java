package io.layotto.components.jdbc;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses the PostgreSQL connection strings Dapr users write: libpq keyword/value pairs
 * ({@code host=localhost user=postgres port=5432 database=test}), {@code postgres://} URLs, and
 * pgjdbc's own {@code jdbc:postgresql://} URLs.
 */
final class PostgresqlConnectionStrings {

  static final int DEFAULT_PORT = 5432;

  private PostgresqlConnectionStrings() {}

  static ConnectionSettings parse(String text) {
    String s = text.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql:")) {
      return parseJdbcUrl(s.substring("jdbc:postgresql:".length()));
    }
    if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
      return parseUrl(s.substring(s.indexOf("://") + 3));
    }
    if (s.indexOf('=') > 0) {
      return parseKeywords(s);
    }
    throw new InvalidConnectionString(
        "expected key=value pairs (host=... user=...), a postgres:// URL or a jdbc:postgresql:// URL");
  }

  /** libpq keyword/value pairs; values may be single-quoted, with backslash escapes. */
  private static ConnectionSettings parseKeywords(String s) {
    Settings settings = new Settings();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int keyStart = i;
      while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String key = s.substring(keyStart, i);
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n || s.charAt(i) != '=') {
        throw new InvalidConnectionString("expected '=' after '" + key + "'");
      }
      if (key.isEmpty()) {
        throw new InvalidConnectionString("a value without a keyword");
      }
      i++;
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '\'') {
        i++;
        boolean closed = false;
        while (i < n) {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else if (c == '\'') {
            closed = true;
            break;
          } else {
            value.append(c);
          }
        }
        if (!closed) {
          throw new InvalidConnectionString("unterminated quoted value of '" + key + "'");
        }
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else {
            value.append(c);
          }
        }
      }
      settings.keyword(key, value.toString());
    }
    return settings.build();
  }

  /** {@code [user[:password]@][host[:port][,...]][/dbname][?keyword=value&...]}, after the scheme. */
  private static ConnectionSettings parseUrl(String rest) {
    Settings settings = new Settings();
    int question = rest.indexOf('?');
    String main = question < 0 ? rest : rest.substring(0, question);
    int at = main.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = main.substring(0, at);
      int colon = userInfo.indexOf(':');
      settings.user = ConnectionStringSyntax.percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name", false);
      if (colon >= 0) {
        settings.password = ConnectionStringSyntax.percentDecode(userInfo.substring(colon + 1), "password", false);
      }
      main = main.substring(at + 1);
    }
    int slash = main.indexOf('/');
    String hostPart = slash < 0 ? main : main.substring(0, slash);
    if (!hostPart.isEmpty()) {
      settings.hosts = ConnectionStringSyntax.percentDecode(hostPart, "host", false);
    }
    if (slash >= 0 && slash + 1 < main.length()) {
      settings.database = ConnectionStringSyntax.percentDecode(main.substring(slash + 1), "database name", false);
    }
    if (question >= 0) {
      ConnectionStringSyntax.query(rest.substring(question + 1), false).forEach(settings::keyword);
    }
    return settings.build();
  }

  /** pgjdbc syntax after {@code jdbc:postgresql:}: {@code //host:port,.../db?prop=value}, {@code db} or {@code /}. */
  private static ConnectionSettings parseJdbcUrl(String rest) {
    int question = rest.indexOf('?');
    String main = question < 0 ? rest : rest.substring(0, question);
    List<HostPort> hosts = List.of(new HostPort("localhost", DEFAULT_PORT));
    String db;
    if (main.startsWith("//")) {
      main = main.substring(2);
      int slash = main.indexOf('/');
      if (slash < 0) {
        throw new InvalidConnectionString("missing '/' after the host in the jdbc:postgresql URL");
      }
      String hostPart = main.substring(0, slash);
      if (hostPart.indexOf('@') >= 0) {
        throw new InvalidConnectionString("jdbc:postgresql URLs take the user and password as ?user=...&password=... parameters");
      }
      if (!hostPart.isEmpty()) {
        hosts = ConnectionStringSyntax.hostList(hostPart, DEFAULT_PORT);
      }
      db = main.substring(slash + 1);
    } else {
      db = main.startsWith("/") ? main.substring(1) : main;
    }
    Map<String, String> params = question < 0 ? Map.of() : ConnectionStringSyntax.query(rest.substring(question + 1), false);
    Map<String, String> props = new LinkedHashMap<>(params);
    String user = props.remove("user");
    String password = props.remove("password");
    String database = db.isEmpty() ? null : ConnectionStringSyntax.percentDecode(db, "database name", false);
    return new ConnectionSettings(hosts, database, blankToNull(user), blankToNull(password), props);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Collects libpq keywords and translates them to pgjdbc properties. */
  private static final class Settings {
    @Nullable String hosts;
    @Nullable String ports;
    @Nullable String database;
    @Nullable String user;
    @Nullable String password;
    final Map<String, String> props = new LinkedHashMap<>();
    final List<String> serverOptions = new ArrayList<>();

    void keyword(String key, String value) {
      switch (key) {
        case "host" -> hosts = value;
        case "hostaddr" -> {
          if (hosts == null) {
            hosts = value;
          }
        }
        case "port" -> ports = value;
        case "dbname", "database" -> database = value;
        case "user" -> user = value;
        case "password" -> password = value;
        case "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword" -> props.put(key, value);
        case "connect_timeout" -> props.put("connectTimeout", Long.toString(ConnectionStringSyntax.seconds(key, value)));
        case "application_name" -> props.put("ApplicationName", value);
        case "search_path" -> props.put("currentSchema", value);
        case "options" -> serverOptions.add(value);
        case "target_session_attrs" -> props.put("targetServerType", switch (value) {
          case "read-write", "primary" -> "primary";
          case "read-only", "standby" -> "secondary";
          case "prefer-standby" -> "preferSecondary";
          default -> "any";
        });
        default -> {
          if (key.startsWith("pool_")) {
            // pgxpool sizing: the pool here is sized by the maxConns metadata
            return;
          }
          if (!key.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new InvalidConnectionString("'" + key + "' is not a valid parameter name");
          }
          // Like pgx: an unknown keyword is a server run-time parameter, set at connection start.
          serverOptions.add("-c " + key + "=" + value.replace("\\", "\\\\").replace(" ", "\\ "));
        }
      }
    }

    ConnectionSettings build() {
      List<HostPort> list = new ArrayList<>();
      String[] hostNames = (hosts == null || hosts.isBlank() ? "localhost" : hosts).split(",", -1);
      String[] portNumbers = ports == null || ports.isBlank() ? new String[0] : ports.split(",", -1);
      if (portNumbers.length > 1 && portNumbers.length != hostNames.length) {
        throw new InvalidConnectionString(hostNames.length + " hosts but " + portNumbers.length + " ports");
      }
      for (int i = 0; i < hostNames.length; i++) {
        String port = portNumbers.length == 0 ? null : portNumbers[portNumbers.length == 1 ? 0 : i];
        String name = hostNames[i].trim();
        // a bare IPv6 address (libpq style) has several colons and no brackets
        HostPort hp = name.indexOf(':') != name.lastIndexOf(':') && !name.startsWith("[")
            ? new HostPort(name, DEFAULT_PORT)
            : ConnectionStringSyntax.hostPort(name, DEFAULT_PORT);
        list.add(port == null || port.isBlank() ? hp : new HostPort(hp.host(), ConnectionStringSyntax.port(port)));
      }
      if (!serverOptions.isEmpty()) {
        props.put("options", String.join(" ", serverOptions));
      }
      return new ConnectionSettings(list, blankToNull(database), blankToNull(user), blankToNull(password), props);
    }
  }
}
