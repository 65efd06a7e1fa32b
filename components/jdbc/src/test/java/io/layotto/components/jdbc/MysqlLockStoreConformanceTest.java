package io.layotto.components.jdbc;

import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/** The lock conformance kit against the shared MariaDB server at 127.0.0.1:3306, in a table of its own. */
class MysqlLockStoreConformanceTest extends LockStoreConformance {

  private static final String TABLE = "lock_conformance_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  @Override
  protected LockStore createStore() {
    LockStore store = new MysqlLockStoreFactory().create();
    store.init(new Metadata("conformance", Map.of("connectionString", MysqlStateStoreTest.CONNECTION_STRING,
        "tableName", TABLE)));
    return store;
  }

  @AfterAll
  void dropTable() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", "");
        var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS `test`.`" + TABLE + "`");
    }
  }
}
