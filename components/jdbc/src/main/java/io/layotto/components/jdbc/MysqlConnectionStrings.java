package io.layotto.components.jdbc;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses MySQL connection strings: the Go driver's DSN that Dapr uses
 * ({@code user:password@tcp(host:port)/dbname?param=value}) and {@code jdbc:mariadb://} or
 * {@code jdbc:mysql://} URLs. Both are turned into MariaDB Connector/J settings.
 */
final class MysqlConnectionStrings {

  static final int DEFAULT_PORT = 3306;

  /** Go driver parameters that only tune the Go client; this connector needs no equivalent. */
  private static final Set<String> GO_CLIENT_ONLY_PARAMS = Set.of("allowAllFiles", "allowCleartextPasswords",
      "allowFallbackToPlaintext", "allowNativePasswords", "allowOldPasswords", "charset", "checkConnLiveness",
      "clientFoundRows", "collation", "columnsWithAlias", "connectionAttributes", "interpolateParams", "loc",
      "maxAllowedPacket", "multiStatements", "parseTime", "rejectReadOnly", "serverPubKey", "writeTimeout",
      "timeTruncate", "strict");

  private MysqlConnectionStrings() {}

  static ConnectionSettings parse(String text) {
    String s = text.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:mariadb://")) {
      return parseJdbcUrl(s.substring("jdbc:mariadb://".length()));
    }
    if (lower.startsWith("jdbc:mysql://")) {
      return parseJdbcUrl(s.substring("jdbc:mysql://".length()));
    }
    if (lower.startsWith("jdbc:")) {
      throw new InvalidConnectionString("only jdbc:mariadb:// and jdbc:mysql:// URLs are supported");
    }
    return parseGoDsn(s);
  }

  /**
   * Go's {@code [user[:password]@][net[(addr)]]/dbname[?params]}, split the way go-sql-driver does:
   * the last '/' ends the address part, and the last '@' before it ends the credentials, so
   * passwords may contain '@', ':' and '/'.
   */
  private static ConnectionSettings parseGoDsn(String dsn) {
    int slash = dsn.lastIndexOf('/');
    if (slash < 0) {
      throw new InvalidConnectionString(
          "expected user:password@tcp(host:port)/dbname or a jdbc:mariadb:// URL (no '/' before the database name)");
    }
    String left = dsn.substring(0, slash);
    String right = dsn.substring(slash + 1);
    String user = null;
    String password = null;
    int at = left.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = left.substring(0, at);
      int colon = userInfo.indexOf(':');
      user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      password = colon < 0 ? null : userInfo.substring(colon + 1);
      left = left.substring(at + 1);
    }
    String net = left;
    String address = "";
    int open = left.indexOf('(');
    if (open >= 0) {
      if (!left.endsWith(")")) {
        throw new InvalidConnectionString("the address must be written as tcp(host:port)");
      }
      net = left.substring(0, open);
      address = left.substring(open + 1, left.length() - 1);
    }
    Map<String, String> props = new LinkedHashMap<>();
    HostPort host = switch (net.isEmpty() ? "tcp" : net) {
      case "tcp", "tcp4", "tcp6" -> address.isEmpty()
          ? new HostPort("127.0.0.1", DEFAULT_PORT)
          : ConnectionStringSyntax.hostPort(address, DEFAULT_PORT);
      case "unix" -> {
        props.put("localSocket", address.isEmpty() ? "/tmp/mysql.sock" : address);
        yield new HostPort("localhost", DEFAULT_PORT);
      }
      default -> throw new InvalidConnectionString("protocol '" + net + "' is not supported, expected tcp or unix");
    };
    int question = right.indexOf('?');
    String db = ConnectionStringSyntax.percentDecode(question < 0 ? right : right.substring(0, question), "database name", false);
    Map<String, String> params = question < 0 ? Map.of() : ConnectionStringSyntax.query(right.substring(question + 1), true);
    StringBuilder sessionVariables = new StringBuilder();
    params.forEach((key, value) -> {
      switch (key) {
        case "timeout" -> props.put("connectTimeout", Long.toString(ConnectionStringSyntax.millis(key, value)));
        case "readTimeout" -> props.put("socketTimeout", Long.toString(ConnectionStringSyntax.millis(key, value)));
        case "tls" -> props.put("sslMode", switch (value) {
          case "true" -> "verify-full";
          case "skip-verify", "preferred" -> "trust";
          case "false" -> "disable";
          default -> throw new InvalidConnectionString("tls '" + value + "' is not supported, expected true, false, skip-verify or preferred");
        });
        default -> {
          if (GO_CLIENT_ONLY_PARAMS.contains(key)) {
            return;
          }
          if (!key.matches("[A-Za-z_][A-Za-z0-9_]*") || value.indexOf(',') >= 0) {
            throw new InvalidConnectionString("parameter '" + key + "' is neither a known option nor a system variable assignment");
          }
          // Like the Go driver: other parameters are session system variables (SET key=value).
          sessionVariables.append(sessionVariables.isEmpty() ? "" : ",").append(key).append('=').append(value);
        }
      }
    });
    if (!sessionVariables.isEmpty()) {
      props.put("sessionVariables", sessionVariables.toString());
    }
    return new ConnectionSettings(List.of(host), blankToNull(db), blankToNull(user), blankToNull(password), props);
  }

  /** After {@code jdbc:mariadb://}: {@code host[:port][,...]/[db][?prop=value&...]}. */
  private static ConnectionSettings parseJdbcUrl(String rest) {
    int question = rest.indexOf('?');
    String main = question < 0 ? rest : rest.substring(0, question);
    int slash = main.indexOf('/');
    String hostPart = slash < 0 ? main : main.substring(0, slash);
    if (hostPart.indexOf('@') >= 0) {
      throw new InvalidConnectionString("jdbc URLs take the user and password as ?user=...&password=... parameters");
    }
    List<HostPort> hosts = hostPart.isEmpty()
        ? List.of(new HostPort("localhost", DEFAULT_PORT))
        : ConnectionStringSyntax.hostList(hostPart, DEFAULT_PORT);
    String db = slash < 0 ? "" : ConnectionStringSyntax.percentDecode(main.substring(slash + 1), "database name", false);
    Map<String, String> props = new LinkedHashMap<>(
        question < 0 ? Map.of() : ConnectionStringSyntax.query(rest.substring(question + 1), false));
    String user = props.remove("user");
    String password = props.remove("password");
    return new ConnectionSettings(hosts, blankToNull(db), blankToNull(user), blankToNull(password), props);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
