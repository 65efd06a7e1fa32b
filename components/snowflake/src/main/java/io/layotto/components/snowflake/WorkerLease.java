package io.layotto.components.snowflake;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.layotto.components.snowflake.SnowflakeSettings.LeaseDatabase;
import io.layotto.spi.ComponentException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Worker ids leased from a table {@code (worker_id, owner, expire_at, last_time_ms)}: a row whose
 * {@code expire_at} (database clock) has passed is free. Claims and renewals are single conditional
 * statements, so two sidecars never hold the same worker id. A released or expired row keeps the
 * time of its holder's last id, and every new holder makes ids after the latest such time, so ids
 * of a restarted sidecar are above those it made before.
 */
final class WorkerLease implements AutoCloseable {

  /** A claimed worker id and the latest id time recorded in the table when it was claimed. */
  record Claim(int workerId, long lastTimeMillis) {}

  private final LeaseDatabase database;
  private final String component;
  private final long ttlMillis;
  private final HikariDataSource pool;
  private final String owner = UUID.randomUUID().toString();
  private final String now;
  private final String expiry;

  WorkerLease(String component, LeaseDatabase database, Duration ttl) {
    this.database = database;
    this.component = component;
    this.ttlMillis = ttl.toMillis();
    this.now = database.isPostgresql() ? "now()" : "UTC_TIMESTAMP(6)";
    this.expiry = database.isPostgresql() ? "now() + CAST(? AS bigint) * INTERVAL '1 millisecond'"
        : "TIMESTAMPADD(MICROSECOND, ? * 1000, UTC_TIMESTAMP(6))";
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("layotto-snowflake-" + component);
    hc.setJdbcUrl(database.jdbcUrl());
    hc.setDriverClassName(database.isPostgresql() ? "org.postgresql.Driver" : "org.mariadb.jdbc.Driver");
    if (database.user() != null) {
      hc.setUsername(database.user());
    }
    if (database.password() != null) {
      hc.setPassword(database.password());
    }
    hc.setMaximumPoolSize(2);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(5_000);
    hc.setValidationTimeout(3_000);
    hc.setInitializationFailTimeout(1);
    hc.setAutoCommit(true);
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw failure(e.getCause() != null ? e.getCause() : e, "connecting");
    }
    try {
      createTable();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private void createTable() {
    String ddl = database.isPostgresql()
        ? "CREATE TABLE IF NOT EXISTS " + database.table() + " (worker_id integer NOT NULL PRIMARY KEY,"
            + " owner varchar(64) NOT NULL, expire_at timestamptz NOT NULL, last_time_ms bigint NOT NULL)"
        : "CREATE TABLE IF NOT EXISTS " + database.table() + " (worker_id INT NOT NULL PRIMARY KEY,"
            + " owner VARCHAR(64) NOT NULL, expire_at DATETIME(6) NOT NULL, last_time_ms BIGINT NOT NULL) ENGINE=InnoDB";
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection(); var st = c.createStatement()) {
        st.setQueryTimeout(10);
        st.execute(ddl);
        st.executeQuery("SELECT worker_id, owner, expire_at, last_time_ms FROM " + database.table() + " WHERE 1 = 0")
            .close();
        return;
      } catch (SQLException e) {
        // PostgreSQL's CREATE TABLE IF NOT EXISTS may lose a race with a concurrent creator
        if (attempt < 3 && ("23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState()))) {
          continue;
        }
        if (isUnavailable(e)) {
          throw failure(e, "creating table " + database.table());
        }
        throw ComponentException.invalidArgument("metadata '" + SnowflakeSettings.TABLE_NAME + "' of component '"
            + component + "' is '" + database.table() + "', which cannot be used as lease table: " + firstLine(e)
            + "; choose another table name");
      }
    }
  }

  /** Claims a free worker id in {@code 0..maxWorker}. */
  Claim claim(int maxWorker) {
    try (Connection c = pool.getConnection()) {
      Set<Integer> busy = new HashSet<>();
      long latest = 0;
      try (PreparedStatement ps = c.prepareStatement("SELECT worker_id, expire_at > " + now + ", last_time_ms FROM "
          + database.table())) {
        ps.setQueryTimeout(10);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getBoolean(2)) {
              busy.add(rs.getInt(1));
            }
            latest = Math.max(latest, rs.getLong(3));
          }
        }
      }
      List<Integer> candidates = new ArrayList<>();
      int start = ThreadLocalRandom.current().nextInt(maxWorker + 1);
      for (int i = 0; i <= maxWorker && candidates.size() < 64; i++) {
        int id = (start + i) % (maxWorker + 1);
        if (!busy.contains(id)) {
          candidates.add(id);
        }
      }
      for (int id : candidates) {
        if (take(c, id)) {
          return new Claim(id, latestTime(c, latest));
        }
      }
      throw ComponentException.unavailable("snowflake sequencer '" + component + "': no free worker id in "
          + database.table() + " (" + busy.size() + " of " + (maxWorker + 1) + " leased); raise workerBits or wait for"
          + " leases to expire", null);
    } catch (SQLException e) {
      throw failure(e, "leasing a worker id");
    }
  }

  private boolean take(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + database.table() + " SET owner = ?, expire_at = " + expiry
        + " WHERE worker_id = ? AND expire_at <= " + now)) {
      ps.setQueryTimeout(10);
      ps.setString(1, owner);
      ps.setLong(2, ttlMillis);
      ps.setInt(3, id);
      if (ps.executeUpdate() == 1) {
        return true;
      }
    }
    String insert = (database.isPostgresql() ? "INSERT INTO " : "INSERT IGNORE INTO ") + database.table()
        + " (worker_id, owner, expire_at, last_time_ms) VALUES (?, ?, " + expiry + ", 0)"
        + (database.isPostgresql() ? " ON CONFLICT (worker_id) DO NOTHING" : "");
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      ps.setQueryTimeout(10);
      ps.setInt(1, id);
      ps.setString(2, owner);
      ps.setLong(3, ttlMillis);
      return ps.executeUpdate() == 1;
    }
  }

  /** The latest id time any holder recorded, read again now that a row is ours (a holder may have just released). */
  private long latestTime(Connection c, long seen) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(last_time_ms) FROM " + database.table())) {
      ps.setQueryTimeout(10);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Math.max(seen, rs.getLong(1)) : seen;
      }
    }
  }

  /**
   * Extends the lease and records the time of the last id.
   *
   * @return false when the row is no longer ours (it expired and another sidecar took it)
   */
  boolean renew(int workerId, long lastTimeMillis) {
    return update("UPDATE " + database.table() + " SET expire_at = " + expiry + ", last_time_ms = GREATEST(last_time_ms, ?)"
        + " WHERE worker_id = ? AND owner = ?", ttlMillis, workerId, lastTimeMillis, "renewing the lease of worker id "
        + workerId);
  }

  /** Frees the worker id at once, keeping the time of its last id for the next holder. */
  void release(int workerId, long lastTimeMillis) {
    update("UPDATE " + database.table() + " SET expire_at = " + now + ", last_time_ms = GREATEST(last_time_ms, ?)"
        + " WHERE worker_id = ? AND owner = ?", null, workerId, lastTimeMillis, "releasing worker id " + workerId);
  }

  private boolean update(String sql, @org.jspecify.annotations.Nullable Long ttl, int workerId, long lastTime,
      String doing) {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setQueryTimeout(10);
      int i = 1;
      if (ttl != null) {
        ps.setLong(i++, ttl);
      }
      ps.setLong(i++, lastTime);
      ps.setInt(i++, workerId);
      ps.setString(i, owner);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure(e, doing);
    }
  }

  private ComponentException failure(Throwable e, String doing) {
    String message = "snowflake sequencer '" + component + "' failed " + doing + " on " + database + ": " + firstLine(e);
    return isUnavailable(e) ? ComponentException.unavailable(message, e) : ComponentException.internal(message, e);
  }

  private static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientException
          || t instanceof SQLRecoverableException || t instanceof IOException) {
        return true;
      }
      if (t instanceof SQLException e && e.getSQLState() != null
          && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("28") || e.getSQLState().startsWith("3D")
          || e.getSQLState().startsWith("57"))) {
        return true;
      }
    }
    return false;
  }

  private String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    String line = message.lines().findFirst().orElse(message);
    if (database.password() != null && database.password().length() >= 3) {
      line = line.replace(database.password(), "***");
    }
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }

  boolean ping() {
    try (Connection c = pool.getConnection()) {
      return c.isValid(2);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
