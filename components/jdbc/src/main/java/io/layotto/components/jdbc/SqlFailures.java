package io.layotto.components.jdbc;

import io.layotto.spi.ComponentException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns JDBC failures into {@link ComponentException}s: connection problems and timeouts become
 * UNAVAILABLE naming the server and database, anything else INTERNAL with the driver's first line.
 * Messages never contain the password.
 */
final class SqlFailures {

  /** MySQL/MariaDB error codes meaning "retry later": too many connections, lock wait timeout, deadlock, statement timeout, gone away, lost. */
  private static final Set<Integer> MYSQL_RETRYABLE = Set.of(1040, 1205, 1213, 1969, 2002, 2003, 2006, 2013, 3024);

  private final String storeName;
  private final ConnectionSettings connection;

  SqlFailures(String type, String componentName, ConnectionSettings connection) {
    this(type + " state store '" + componentName + "'", connection);
  }

  /** @param storeName how messages name the component, e.g. {@code postgresql lock store 'l'} or
   *     {@code postgresql sequencer 'seq'} */
  SqlFailures(String storeName, ConnectionSettings connection) {
    this.storeName = storeName;
    this.connection = connection;
  }

  /** @param action what was being done, e.g. "reading key 'k'" */
  ComponentException translate(Throwable failure, String action) {
    String detail = concise(failure);
    if (isUnavailable(failure)) {
      return ComponentException.unavailable(storeName + " cannot use " + connection.describe()
          + (connection.user() == null ? "" : " as user '" + connection.user() + "'") + " while " + action + ": " + detail,
          failure);
    }
    return ComponentException.internal(storeName + " failed " + action + ": " + detail, failure);
  }

  /** Whether the failure is about reaching the server rather than about the statement. */
  static boolean isUnavailable(Throwable failure) {
    var seen = java.util.Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>());
    for (@Nullable Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientException
          || t instanceof SQLRecoverableException || t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // connection (08), authorization (28), unknown database (3D), transaction rollback (40),
        // insufficient resources (53), operator intervention incl. statement timeout (57), MariaDB timeout (70100)
        if (state.startsWith("08") || state.startsWith("28") || state.startsWith("3D") || state.startsWith("40")
            || state.startsWith("53") || state.startsWith("57") || state.equals("70100")
            || MYSQL_RETRYABLE.contains(e.getErrorCode()) || e.getErrorCode() == 1045 || e.getErrorCode() == 1049) {
          return true;
        }
      }
    }
    return false;
  }

  /** The first line of the most specific message, without the password, at most 300 characters. */
  String concise(Throwable failure) {
    String message = failure.getMessage();
    if ((message == null || message.isBlank()) && failure.getCause() != null) {
      message = failure.getCause().getMessage();
    }
    if (message == null || message.isBlank()) {
      message = failure.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    String line = (newline < 0 ? message : message.substring(0, newline)).trim();
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // drivers often wrap the telling reason (unknown host, timeout) in a generic message
    if (root != failure && root.getMessage() != null && !line.contains(root.getMessage())) {
      String rootLine = root.getMessage().lines().findFirst().orElse("").trim();
      line = line + " (" + root.getClass().getSimpleName() + ": " + rootLine + ")";
    }
    String password = connection.password();
    if (password != null && password.length() >= 3) {
      line = line.replace(password, "***");
    }
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }
}
