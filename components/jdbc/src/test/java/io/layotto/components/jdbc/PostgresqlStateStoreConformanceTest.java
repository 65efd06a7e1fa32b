package io.layotto.components.jdbc;

import io.layotto.spi.Metadata;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreConformance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/** The state conformance kit against the shared PostgreSQL server at 127.0.0.1:5432, in a table of its own. */
class PostgresqlStateStoreConformanceTest extends StateStoreConformance {

  private static final String TABLE = "conformance_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  @Override
  protected StateStore createStore() {
    StateStore store = new PostgresqlStateStoreFactory().create();
    store.init(new Metadata("conformance", Map.of("connectionString", PostgresqlStateStoreTest.CONNECTION_STRING, "tableName", TABLE)));
    return store;
  }

  @AfterAll
  void dropTable() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", ""); var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + "\"" + TABLE + "\"");
    }
  }
}
