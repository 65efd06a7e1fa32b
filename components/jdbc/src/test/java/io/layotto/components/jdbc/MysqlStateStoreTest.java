package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The mysql store against the shared MariaDB server at 127.0.0.1:3306 (database {@code test}). */
class MysqlStateStoreTest extends JdbcStateStoreTestBase {

  static final String CONNECTION_STRING = "root:@tcp(127.0.0.1:3306)/test?allowNativePasswords=true&parseTime=true";

  @Override
  SqlDialect dialect() {
    return new MysqlDialect();
  }

  @Override
  String connectionString() {
    return CONNECTION_STRING;
  }

  @Override
  String qualifiedTable() {
    return new TableName("test", table).qualified(dialect());
  }

  @Override
  List<String> connectionStringForms() {
    return List.of(CONNECTION_STRING,
        "root@tcp(127.0.0.1)/test?timeout=5s&sql_mode=STRICT_ALL_TABLES",
        "jdbc:mariadb://127.0.0.1:3306/test?user=root",
        "jdbc:mysql://127.0.0.1/test?user=root&connectTimeout=3000");
  }

  @Override
  String connectionStringToPort(int port, String password, String database) {
    return "root:" + password + "@tcp(127.0.0.1:" + port + ")/" + database;
  }

  @Override
  String connectionStringViaPort(int port) {
    return "root@tcp(127.0.0.1:" + port + ")/test";
  }

  @Override
  int serverPort() {
    return 3306;
  }

  @Override
  String connectionStringToMissingDatabase(String database) {
    return "jdbc:mariadb://127.0.0.1:3306/" + database + "?user=root";
  }

  @Override
  Connection adminConnection() throws SQLException {
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", "");
  }

  @Test
  void schemaNameCreatesTheDatabaseHoldingTheTable() throws SQLException {
    String schema = "s_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      StateStore store = open("schemaName", schema);
      store.set(SetRequest.of("k", bytes("in schema")));
      assertThat(valueOf(store, "k")).isEqualTo("in schema");
      try (Connection c = adminConnection(); var st = c.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM `" + schema + "`.`" + table + "`")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    } finally {
      try (Connection c = adminConnection(); var st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS `" + schema + "`");
      }
    }
  }
}
