package io.layotto.components.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against snowflake sequencers leasing worker ids from the shared Mysql server. */
class MysqlSnowflakeConformanceTest extends SequencerConformance {

  static final String URL = "jdbc:mariadb://127.0.0.1:3306/test";
  static final String USER = "root";
  private static final String TABLE = "snow_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  static Map<String, String> metadata(String table) {
    return Map.of("jdbcUrl", URL, "userName", USER, "tableName", table);
  }

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    Sequencer sequencer = new SnowflakeSequencerFactory().create();
    sequencer.init(new Metadata("snowflake_conformance", metadata(TABLE)), biggerThan);
    return sequencer;
  }

  @Override
  protected void deleteCreated(Set<String> keys) {
    try (Connection c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop the test table " + TABLE, e);
    }
  }

  @Test
  void concurrentInstancesLeaseDifferentWorkerIdsAndCloseReleasesThem() throws SQLException {
    another(Map.of());
    another(Map.of());
    try (Connection c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT worker_id) FROM " + TABLE
            + " WHERE expire_at > " + (URL.contains("postgresql") ? "now()" : "UTC_TIMESTAMP(6)"))) {
      rs.next();
      assertThat(rs.getInt(1)).as("live leases: the kit's instance and two more").isEqualTo(3);
      assertThat(rs.getInt(2)).isEqualTo(3);
    }
  }

  @Test
  void factoryDeclaresWhatTheComponentDoes() {
    SnowflakeSequencerFactory factory = new SnowflakeSequencerFactory();
    assertThat(factory.type()).isEqualTo("snowflake");
    assertThat(factory.capabilities()).isEqualTo(sequencer().features());
    assertThat(factory.metadataSchema().field("workerId")).isPresent();
  }
}
