package io.layotto.components.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.testing.TcpProxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease database cut off (through a TCP proxy to the shared PostgreSQL): ids keep coming while
 * the lease is valid, stop with UNAVAILABLE once it ran out unrenewed, and resume above the earlier
 * ones when the database is back.
 */
class WorkerLeaseOutageTest {

  private final String table = "snow_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private TcpProxy proxy;
  private SnowflakeSequencer sequencer;

  @AfterEach
  void cleanUp() throws Exception {
    if (sequencer != null) {
      sequencer.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    try (Connection c = DriverManager.getConnection(PostgresqlSnowflakeConformanceTest.URL, "postgres", "");
        var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + table);
    }
  }

  @Test
  void noIdIsMadeWithoutAValidLeaseAndIdsResumeAfterTheOutage() throws Exception {
    proxy = TcpProxy.listening(0, 5432);
    int port = proxy.port();
    sequencer = new SnowflakeSequencer();
    sequencer.init(new Metadata("snow_outage", Map.of("jdbcUrl", "jdbc:postgresql://127.0.0.1:" + port + "/test",
        "userName", "postgres", "tableName", table, "leaseTtl", "3s")));
    long before = sequencer.nextId("k");

    proxy.close();
    await("the lease runs out").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      ComponentException e = catchThrowableOfType(ComponentException.class, () -> sequencer.nextId("k"));
      return e != null && e.kind() == Kind.UNAVAILABLE && e.getMessage().contains("lease");
    });
    assertThat(sequencer.checkHealth().isUp()).isFalse();
    for (int i = 0; i < 20; i++) {
      ComponentException e = catchThrowableOfType(ComponentException.class, () -> sequencer.nextId("k"));
      assertThat(e).as("no id without a lease").isNotNull();
      Thread.sleep(50);
    }

    proxy = TcpProxy.listening(port, 5432);
    await("the lease is renewed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(() -> sequencer.nextId("k") > before);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequencer.checkHealth().isUp());
  }
}
