package io.layotto.components.jdbc;

import com.zaxxer.hikari.HikariConfig;
import java.util.HashMap;
import java.util.Map;

/** The HikariCP settings every JDBC component (state, lock, sequencer) opens its pool with. */
final class ConnectionPools {

  private ConnectionPools() {}

  /** @param role what the pool serves, in its name ({@code ""} for the state store, {@code "lock-"}, ...) */
  static HikariConfig config(SqlDialect dialect, JdbcStateStoreConfig config, String role) {
    ConnectionSettings connection = config.connection();
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("layotto-" + dialect.type() + "-" + role + config.componentName());
    hc.setDriverClassName(dialect.driverClassName());
    hc.setJdbcUrl(dialect.jdbcUrl(connection));
    if (connection.user() != null) {
      hc.setUsername(connection.user());
    }
    if (connection.password() != null) {
      hc.setPassword(connection.password());
    }
    Map<String, String> props = new HashMap<>(dialect.defaultDriverProperties());
    props.putAll(connection.properties());
    props.forEach(hc::addDataSourceProperty);
    hc.setMaximumPoolSize(config.maxConns());
    hc.setMinimumIdle(Math.min(2, config.maxConns()));
    // short waits: a request on a dead database should fail as UNAVAILABLE, not hang
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(3_000);
    hc.setInitializationFailTimeout(1);
    hc.setAutoCommit(true);
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    return hc;
  }
}
