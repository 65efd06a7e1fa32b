package io.layotto.components.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencer types {@code postgresql} and {@code mysql}: a segment allocation table with one row per
 * key holding the last id handed out. Allocating {@code n} ids is one atomic upsert that adds
 * {@code n} to the row (PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING}; MySQL:
 * {@code INSERT ... ON DUPLICATE KEY UPDATE} and a read of the row in the same transaction, which
 * holds the row lock), so any number of sidecars may share the table. STRONG ids allocate 1, WEAK
 * ranges allocate a segment. Rows are found by the SHA-256 of the key, so keys of any length fit.
 */
public final class JdbcSequencer implements Sequencer {

  private static final Logger log = LoggerFactory.getLogger(JdbcSequencer.class);

  static final Set<SequencerFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
      SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND));
  static final String DEFAULT_TABLE = "layotto_sequencer";
  /** SQLSTATE of a numeric value out of range: the key's int64 counter would overflow. */
  private static final String OUT_OF_RANGE = "22003";

  private final SqlDialect dialect;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Resources resources;

  private record Resources(JdbcStateStoreConfig config, HikariDataSource pool, Statements sql, SqlFailures failures) {}

  /** The statements of one dialect on one table. */
  private record Statements(List<String> createTable, String probe, String allocate, @Nullable String readBack,
      String raise) {

    static Statements of(SqlDialect dialect, TableName name, @Nullable String createSchema) {
      String t = name.qualified(dialect);
      String probe = "SELECT key_hash, key_text, last_id, updated_at FROM " + t + " WHERE 1 = 0";
      return switch (dialect) {
        case PostgresqlDialect p -> new Statements(List.of("""
            CREATE TABLE IF NOT EXISTS %s (
              key_hash bytea NOT NULL PRIMARY KEY,
              key_text text NOT NULL,
              last_id bigint NOT NULL,
              updated_at timestamptz NOT NULL)""".formatted(t)),
            probe,
            "INSERT INTO " + t + " AS s (key_hash, key_text, last_id, updated_at) VALUES (?, ?, ?, now())"
                + " ON CONFLICT (key_hash) DO UPDATE SET last_id = s.last_id + EXCLUDED.last_id, updated_at = now()"
                + " RETURNING last_id",
            null,
            "INSERT INTO " + t + " AS s (key_hash, key_text, last_id, updated_at) VALUES (?, ?, ?, now())"
                + " ON CONFLICT (key_hash) DO UPDATE SET last_id = GREATEST(s.last_id, EXCLUDED.last_id),"
                + " updated_at = now()");
        case MysqlDialect m -> {
          List<String> ddl = new java.util.ArrayList<>();
          if (createSchema != null) {
            ddl.add("CREATE DATABASE IF NOT EXISTS " + m.quote(createSchema) + " CHARACTER SET utf8mb4");
          }
          ddl.add("""
              CREATE TABLE IF NOT EXISTS %s (
                key_hash BINARY(32) NOT NULL PRIMARY KEY,
                key_text LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
                last_id BIGINT NOT NULL,
                updated_at DATETIME(6) NOT NULL
              ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""".formatted(t));
          yield new Statements(ddl, probe,
              "INSERT INTO " + t + " (key_hash, key_text, last_id, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))"
                  + " ON DUPLICATE KEY UPDATE last_id = last_id + VALUES(last_id), updated_at = UTC_TIMESTAMP(6)",
              "SELECT last_id FROM " + t + " WHERE key_hash = ?",
              "INSERT INTO " + t + " (key_hash, key_text, last_id, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))"
                  + " ON DUPLICATE KEY UPDATE last_id = GREATEST(last_id, VALUES(last_id)),"
                  + " updated_at = UTC_TIMESTAMP(6)");
        }
      };
    }
  }

  JdbcSequencer(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /** The metadata keys of a sequencer of this dialect (Dapr's connection keys, as the state stores). */
  static MetadataSchema schema(SqlDialect dialect) {
    MetadataSchema state = JdbcStateStoreConfig.schema(dialect);
    MetadataSchema.Builder b = MetadataSchema.builder();
    for (MetadataSchema.Field f : state.fields()) {
      switch (f.name()) {
        case JdbcStateStoreConfig.CLEANUP_INTERVAL_IN_SECONDS -> { }
        case JdbcStateStoreConfig.TABLE_NAME -> b.optional(f.name(), Type.STRING, DEFAULT_TABLE,
            "Table holding one row per key with its last id" + (dialect.hasSchemaName() ? "" : ", optionally schema.table")
                + "; created if absent");
        default -> {
          if (f.required()) {
            b.required(f.name(), f.type(), f.description());
          } else {
            b.optional(f.name(), f.type(), f.defaultValue(), f.description());
          }
        }
      }
    }
    return b.build();
  }

  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata, Map<String, Long> biggerThan) {
    if (resources != null || closed.get()) {
      throw new IllegalStateException(dialect.type() + " sequencer initialised twice or after close");
    }
    Map<String, String> properties = new HashMap<>(metadata.asMap());
    if (metadata.get(JdbcStateStoreConfig.TABLE_NAME).isEmpty()) {
      properties.put(JdbcStateStoreConfig.TABLE_NAME, DEFAULT_TABLE);
    }
    JdbcStateStoreConfig config = JdbcStateStoreConfig.from(new Metadata(metadata.componentName(), properties), dialect);
    SqlFailures failures = new SqlFailures(dialect.type() + " sequencer '" + config.componentName() + "'",
        config.connection());
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(ConnectionPools.config(dialect, config, "sequencer-"));
    } catch (RuntimeException e) {
      throw failures.translate(e.getCause() instanceof SQLException sql ? sql : e, "connecting");
    }
    Statements sql = Statements.of(dialect, config.table(), config.createSchema());
    Resources rt = new Resources(config, pool, sql, failures);
    try {
      createTable(rt);
      for (Map.Entry<String, Long> e : new LinkedHashMap<>(biggerThan).entrySet()) {
        if (e.getValue() > 0) {
          raise(rt, SequencerKeys.requireKey(e.getKey()), e.getValue());
        }
      }
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    resources = rt;
    log.info("{} sequencer '{}' ready on {} table {}", dialect.type(), config.componentName(),
        config.connection().describe(), config.table());
  }

  private void createTable(Resources rt) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = rt.pool().getConnection(); var st = c.createStatement()) {
        st.setQueryTimeout(rt.config().queryTimeoutSeconds());
        for (String statement : rt.sql().createTable()) {
          st.execute(statement);
        }
        break;
      } catch (SQLException e) {
        if (attempt < 3 && dialect.isConcurrentCreate(e)) {
          continue;
        }
        throw rt.failures().translate(e, "creating table " + rt.config().table());
      }
    }
    try (Connection c = rt.pool().getConnection(); var st = c.createStatement()) {
      st.setQueryTimeout(rt.config().queryTimeoutSeconds());
      st.executeQuery(rt.sql().probe()).close();
    } catch (SQLException e) {
      if (SqlFailures.isUnavailable(e)) {
        throw rt.failures().translate(e, "checking table " + rt.config().table());
      }
      throw ComponentException.invalidArgument("metadata '" + JdbcStateStoreConfig.TABLE_NAME + "' of component '"
          + rt.config().componentName() + "' is '" + rt.config().table() + "', a table that exists with other columns ("
          + rt.failures().concise(e) + "); choose another table name");
    }
  }

  private void raise(Resources rt, String key, long floor) {
    try (Connection c = rt.pool().getConnection(); PreparedStatement ps = c.prepareStatement(rt.sql().raise())) {
      ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
      bindRow(ps, key, floor);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw rt.failures().translate(e, "applying biggerThan " + floor + " to key " + shown(key));
    }
  }

  @Override
  public Health checkHealth() {
    Resources rt = resources;
    if (rt == null) {
      return Health.down(closed.get() ? "closed" : "not initialised");
    }
    try (Connection c = rt.pool().getConnection()) {
      return c.isValid(3) ? Health.up()
          : Health.down(dialect.type() + " at " + rt.config().connection().describe() + " did not answer a ping within 3s");
    } catch (SQLException | RuntimeException e) {
      return Health.down(rt.failures().translate(e, "checking health").getMessage());
    }
  }

  @Override
  public long nextId(String key) {
    return allocate(SequencerKeys.requireKey(key), 1);
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    long last = allocate(key, size);
    return new IdRange(last - size + 1, last);
  }

  /**
   * Adds {@code n} to the key's row (creating it at {@code n}) and returns the new last id. InnoDB may
   * pick a concurrent first upsert of a new key as deadlock victim; such a rolled-back attempt took
   * nothing and is repeated.
   */
  private long allocate(String key, int n) {
    for (int attempt = 1; ; attempt++) {
      try {
        return allocateOnce(key, n);
      } catch (Deadlock e) {
        if (attempt >= MAX_DEADLOCK_RETRIES) {
          throw e.failure;
        }
      }
    }
  }

  private static final int MAX_DEADLOCK_RETRIES = 10;

  /** A transaction chosen as deadlock victim: rolled back, safe to repeat. */
  private static final class Deadlock extends RuntimeException {
    final ComponentException failure;

    Deadlock(ComponentException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private long allocateOnce(String key, int n) {
    Resources rt = resources();
    String doing = "allocating " + n + (n == 1 ? " id" : " ids") + " of key " + shown(key);
    try (Connection c = rt.pool().getConnection()) {
      String readBack = rt.sql().readBack();
      if (readBack == null) {
        try (PreparedStatement ps = c.prepareStatement(rt.sql().allocate())) {
          ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
          bindRow(ps, key, n);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }
      }
      // the upsert keeps the row locked until commit, so the read sees this transaction's value
      c.setAutoCommit(false);
      try {
        long last;
        try (PreparedStatement ps = c.prepareStatement(rt.sql().allocate())) {
          ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
          bindRow(ps, key, n);
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(readBack)) {
          ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
          ps.setBytes(1, JdbcStateStore.keyHash(key));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            last = rs.getLong(1);
          }
        }
        c.commit();
        return last;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      if (isOutOfRange(e)) {
        throw SequencerKeys.exhausted(key, dialect.type() + " refused " + doing + ": " + rt.failures().concise(e));
      }
      if ("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()) || e.getErrorCode() == 1213) {
        throw new Deadlock(rt.failures().translate(e, doing));
      }
      throw rt.failures().translate(e, doing);
    }
  }

  private void bindRow(PreparedStatement ps, String key, long value) throws SQLException {
    ps.setBytes(1, JdbcStateStore.keyHash(key));
    ps.setString(2, dialect.storableKeyText(key));
    ps.setLong(3, value);
  }

  private static boolean isOutOfRange(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (OUT_OF_RANGE.equals(s.getSQLState()) || s.getErrorCode() == 1690) {
        return true;
      }
    }
    return false;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("rollback failed", e);
    }
  }

  private Resources resources() {
    Resources rt = resources;
    if (rt == null) {
      throw ComponentException.internal(dialect.type() + " sequencer is not initialised (or already closed)", null);
    }
    return rt;
  }

  private static String shown(String key) {
    return "'" + (key.length() <= 200 ? key : key.substring(0, 200) + "...") + "'";
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Resources rt = resources;
    resources = null;
    if (rt != null) {
      try {
        rt.pool().close();
      } catch (RuntimeException e) {
        log.warn("closing the connection pool of {} sequencer '{}' failed: {}", dialect.type(),
            rt.config().componentName(), e.toString());
      }
    }
  }
}
