package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against the shared Mysql test server, in a table of its own. */
class MysqlSequencerConformanceTest extends SequencerConformance {

  private static final String TABLE = "seq_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    Sequencer sequencer = new MysqlSequencerFactory().create();
    sequencer.init(new Metadata("conformance", Map.of("connectionString", MysqlStateStoreTest.CONNECTION_STRING,
        "tableName", TABLE)), biggerThan);
    return sequencer;
  }

  @Override
  protected void deleteCreated(Set<String> keys) {
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", ""); var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + "`test`.`" + TABLE + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop the test table " + TABLE, e);
    }
  }

  @Test
  void aTableWithOtherColumnsIsRejectedNamingIt() throws SQLException {
    String other = "seq_other_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", ""); var st = c.createStatement()) {
      st.execute("CREATE TABLE " + other + " (id int)");
      Sequencer s = new MysqlSequencerFactory().create();
      var e = assertFails(() -> s.init(new Metadata("bad_table", Map.of("connectionString",
          MysqlStateStoreTest.CONNECTION_STRING, "tableName", other)), Map.of()), Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("tableName").contains(other);
    } finally {
      try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", ""); var st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + other);
      }
    }
  }

  @Test
  void unreachableServerFailsInitAsUnavailable() {
    Sequencer s = new MysqlSequencerFactory().create();
    String unreachable = MysqlStateStoreTest.CONNECTION_STRING.replace("3306", "1");
    assertThat(unreachable).isNotEqualTo(MysqlStateStoreTest.CONNECTION_STRING);
    assertFails(() -> s.init(new Metadata("down", Map.of("connectionString", unreachable, "tableName", TABLE)),
        Map.of()), Kind.UNAVAILABLE);
  }

  @Test
  void factoryDeclaresWhatTheComponentDoes() {
    MysqlSequencerFactory factory = new MysqlSequencerFactory();
    assertThat(factory.type()).isEqualTo("mysql");
    assertThat(factory.capabilities()).isEqualTo(sequencer().features());
    assertThat(factory.metadataSchema().field("connectionString")).isPresent();
    assertThat(factory.metadataSchema().field("tableName").orElseThrow().defaultValue()).isEqualTo("layotto_sequencer");
    assertThat(factory.metadataSchema().field("cleanupIntervalInSeconds")).isEmpty();
  }
}
