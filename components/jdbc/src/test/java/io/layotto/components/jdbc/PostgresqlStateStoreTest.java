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

/** The PostgreSQL store against the shared server at 127.0.0.1:5432 (database {@code test}). */
class PostgresqlStateStoreTest extends JdbcStateStoreTestBase {

  static final String CONNECTION_STRING = "host=127.0.0.1 user=postgres port=5432 database=test connect_timeout=5";

  @Override
  SqlDialect dialect() {
    return new PostgresqlDialect();
  }

  @Override
  String connectionString() {
    return CONNECTION_STRING;
  }

  @Override
  List<String> connectionStringForms() {
    return List.of(CONNECTION_STRING,
        "postgres://postgres:unused@127.0.0.1:5432/test?sslmode=disable&application_name=layotto-test",
        "postgresql://postgres@127.0.0.1/test",
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&ApplicationName=layotto-test");
  }

  @Override
  String connectionStringToPort(int port, String password, String database) {
    return "host=127.0.0.1 port=" + port + " user=postgres password=" + password + " dbname=" + database;
  }

  @Override
  String connectionStringViaPort(int port) {
    return "host=127.0.0.1 port=" + port + " user=postgres dbname=test";
  }

  @Override
  int serverPort() {
    return 5432;
  }

  @Override
  String connectionStringToMissingDatabase(String database) {
    return "postgres://postgres@127.0.0.1:5432/" + database;
  }

  @Override
  Connection adminConnection() throws SQLException {
    return adminConnectionToTest();
  }

  static Connection adminConnectionToTest() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
  }

  @Test
  void aSchemaQualifiedTableNameIsUsed() throws SQLException {
    String schema = "s_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = adminConnection(); var st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    try {
      StateStore store = open("tableName", schema + "." + table);
      store.set(SetRequest.of("k", bytes("in schema")));
      assertThat(valueOf(store, "k")).isEqualTo("in schema");
      try (Connection c = adminConnection(); var st = c.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM \"" + schema + "\".\"" + table + "\"")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    } finally {
      try (Connection c = adminConnection(); var st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
