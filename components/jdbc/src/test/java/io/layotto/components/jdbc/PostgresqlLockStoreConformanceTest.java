package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lock conformance kit against the shared PostgreSQL server at 127.0.0.1:5432, in a table of its own. */
class PostgresqlLockStoreConformanceTest extends LockStoreConformance {

  private static final String TABLE = "lock_conformance_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  @Override
  protected LockStore createStore() {
    LockStore store = new PostgresqlLockStoreFactory().create();
    store.init(new Metadata("conformance", Map.of("connectionString", PostgresqlStateStoreTest.CONNECTION_STRING,
        "tableName", TABLE)));
    return store;
  }

  @Test
  void aLockIsOneRowWithTheResourceIdAndAnExpiryOnTheDatabaseClock() throws SQLException {
    String r = resource("row");
    assertThat(store().tryLock(r, "owner-1", Duration.ofSeconds(30))).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        var st = c.prepareStatement("SELECT convert_from(owner, 'UTF8'), extract(epoch FROM expire_at - now()) FROM \""
            + TABLE + "\" WHERE resource_id = ?")) {
      st.setString(1, r);
      try (var rs = st.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("owner-1");
        assertThat(rs.getDouble(2)).isBetween(1.0, 30.0);
      }
    }
    store().unlock(r, "owner-1");
  }

  @AfterAll
  void dropTable() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS \"" + TABLE + "\"");
    }
  }
}
