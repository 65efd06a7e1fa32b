package io.layotto.components.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks as rows of one table (types {@code postgresql} and {@code mysql}), see {@link LockSql}.
 * Every decision is one statement whose WHERE clause carries the condition, judged on the database
 * clock (so sidecars with skewed clocks agree): taking a lock deletes the resource's row if it has
 * expired and inserts a new one, which the primary key lets only one contender do; unlock and
 * keep-alive change the row only where owner and liveness match, and a follow-up read tells
 * "another owner" from "no lock" when they changed nothing. A periodic sweep deletes expired rows.
 */
public final class JdbcLockStore implements LockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  static final String DEFAULT_TABLE = "layotto_lock";
  private static final Logger log = LoggerFactory.getLogger(JdbcLockStore.class);
  /** Attempts of a statement the database aborted as a deadlock or serialization failure. */
  private static final int ATTEMPTS = 5;

  private final SqlDialect dialect;
  private volatile @Nullable Resources resources;
  private volatile boolean closed;

  private record Resources(JdbcStateStoreConfig config, HikariDataSource pool, LockSql sql, SqlFailures failures,
      @Nullable ScheduledExecutorService cleaner) {}

  JdbcLockStore(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /** The state store's keys, with the lock table's name and default. */
  static MetadataSchema schema(SqlDialect dialect) {
    MetadataSchema.Builder b = MetadataSchema.builder();
    for (MetadataSchema.Field f : JdbcStateStoreConfig.schema(dialect).fields()) {
      if (f.name().equals(JdbcStateStoreConfig.TABLE_NAME)) {
        b.optional(f.name(), f.type(), DEFAULT_TABLE, "Table holding the locks"
            + (dialect.hasSchemaName() ? "" : ", optionally schema.table") + "; created if absent");
      } else if (f.required()) {
        b.required(f.name(), f.type(), f.description());
      } else {
        b.optional(f.name(), f.type(), f.defaultValue(), f.description().replace("the state", "the locks"));
      }
    }
    return b.build();
  }

  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (resources != null || closed) {
      throw new IllegalStateException(dialect.type() + " lock store initialised twice or after close");
    }
    Map<String, String> withTable = new HashMap<>(metadata.asMap());
    if (metadata.get(JdbcStateStoreConfig.TABLE_NAME).isEmpty()) {
      withTable.put(JdbcStateStoreConfig.TABLE_NAME, DEFAULT_TABLE);
    }
    JdbcStateStoreConfig config = JdbcStateStoreConfig.from(new Metadata(metadata.componentName(), withTable), dialect);
    SqlFailures failures = new SqlFailures(dialect.type() + " lock store '" + config.componentName() + "'",
        config.connection());
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(ConnectionPools.config(dialect, config, "lock-"));
    } catch (RuntimeException e) {
      throw failures.translate(e.getCause() instanceof SQLException sql ? sql : e, "connecting");
    }
    LockSql sql = new LockSql(dialect, config.table(), config.createSchema());
    try {
      createTable(pool, config, sql, failures);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    ScheduledExecutorService cleaner = null;
    if (config.cleanupIntervalSeconds() > 0) {
      cleaner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
          .name("layotto-" + dialect.type() + "-lock-cleanup-" + config.componentName()).factory());
      cleaner.scheduleWithFixedDelay(this::deleteExpiredRows, config.cleanupIntervalSeconds(),
          config.cleanupIntervalSeconds(), TimeUnit.SECONDS);
    }
    resources = new Resources(config, pool, sql, failures, cleaner);
    log.info("{} lock store '{}' ready on {} table {}", dialect.type(), config.componentName(),
        config.connection().describe(), config.table());
  }

  private void createTable(HikariDataSource pool, JdbcStateStoreConfig config, LockSql sql, SqlFailures failures) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection(); var st = c.createStatement()) {
        st.setQueryTimeout(config.queryTimeoutSeconds());
        for (String statement : sql.createTable) {
          st.execute(statement);
        }
        break;
      } catch (SQLException e) {
        if (attempt < 3 && dialect.isConcurrentCreate(e)) {
          continue;
        }
        throw failures.translate(e, "creating table " + config.table());
      }
    }
    try (Connection c = pool.getConnection(); var st = c.createStatement()) {
      st.setQueryTimeout(config.queryTimeoutSeconds());
      st.executeQuery(sql.probe).close();
    } catch (SQLException e) {
      if (SqlFailures.isUnavailable(e)) {
        throw failures.translate(e, "checking table " + config.table());
      }
      throw ComponentException.invalidArgument("metadata '" + JdbcStateStoreConfig.TABLE_NAME + "' of component '"
          + config.componentName() + "' is '" + config.table() + "', a table that exists with other columns ("
          + failures.concise(e) + "); choose another table name");
    }
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    byte[] hash = JdbcStateStore.keyHash(resourceId);
    return run("taking the lock on resource " + shown(resourceId), (rt, c) -> {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().deleteExpiredKey)) {
        ps.setBytes(1, hash);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = prepare(rt, c, rt.sql().insert)) {
        ps.setBytes(1, hash);
        ps.setString(2, dialect.storableKeyText(resourceId));
        ps.setBytes(3, owner.getBytes(StandardCharsets.UTF_8));
        ps.setLong(4, rt.sql().ttlParameter(ttlMillis));
        return ps.executeUpdate() == 1;
      } catch (SQLException e) {
        if (dialect.isDuplicateKey(e)) {
          return false;
        }
        throw e;
      }
    });
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    byte[] hash = JdbcStateStore.keyHash(resourceId);
    byte[] ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
    return run("releasing the lock on resource " + shown(resourceId), (rt, c) -> {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().deleteIfOwner)) {
        ps.setBytes(1, hash);
        ps.setBytes(2, ownerBytes);
        if (ps.executeUpdate() > 0) {
          return LockStatus.SUCCESS;
        }
      }
      return absentOrOther(rt, c, hash, ownerBytes);
    });
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    byte[] hash = JdbcStateStore.keyHash(resourceId);
    byte[] ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
    return run("extending the lock on resource " + shown(resourceId), (rt, c) -> {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().extendIfOwner)) {
        ps.setLong(1, rt.sql().ttlParameter(ttlMillis));
        ps.setBytes(2, hash);
        ps.setBytes(3, ownerBytes);
        if (ps.executeUpdate() > 0) {
          return LockStatus.SUCCESS;
        }
      }
      return absentOrOther(rt, c, hash, ownerBytes);
    });
  }

  /**
   * After a conditional change matched nothing: another owner's live row, or none. A row of this
   * owner here means it was taken after the failed change by a new call of the same owner; that is
   * still not this call's lock, so it counts as absent.
   */
  private LockStatus absentOrOther(Resources rt, Connection c, byte[] hash, byte[] owner) throws SQLException {
    try (PreparedStatement ps = prepare(rt, c, rt.sql().liveOwner)) {
      ps.setBytes(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && !Arrays.equals(rs.getBytes(1), owner)) {
          return LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        return LockStatus.LOCK_UNEXIST;
      }
    }
  }

  @Override
  public Health checkHealth() {
    Resources rt = resources;
    if (rt == null) {
      return Health.down(closed ? "closed" : "not initialised");
    }
    try (Connection c = rt.pool().getConnection()) {
      return c.isValid(3) ? Health.up()
          : Health.down(dialect.type() + " at " + rt.config().connection().describe() + " did not answer a ping within 3s");
    } catch (SQLException | RuntimeException e) {
      return Health.down(rt.failures().translate(e, "checking health").getMessage());
    }
  }

  void deleteExpiredRows() {
    Resources rt = resources;
    if (rt == null) {
      return;
    }
    try (Connection c = rt.pool().getConnection(); PreparedStatement ps = prepare(rt, c, rt.sql().cleanup)) {
      int deleted = ps.executeUpdate();
      log.debug("{} lock store '{}' deleted {} expired locks", dialect.type(), rt.config().componentName(), deleted);
    } catch (SQLException | RuntimeException e) {
      log.warn("{} lock store '{}' could not delete expired locks: {}", dialect.type(), rt.config().componentName(),
          e.toString());
    }
  }

  private interface Work<T> {
    T run(Resources rt, Connection c) throws SQLException;
  }

  private <T> T run(String action, Work<T> work) {
    Resources rt = resources;
    if (rt == null) {
      throw ComponentException.internal(dialect.type() + " lock store is not initialised or already closed", null);
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection c = rt.pool().getConnection()) {
        return work.run(rt, c);
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && isRetryableConflict(e)) {
          continue;
        }
        throw rt.failures().translate(e, action);
      }
    }
  }

  /** Deadlock or serialization failure: the database rolled the statement back and it may simply be rerun. */
  private static boolean isRetryableConflict(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return state.equals("40001") || state.equals("40P01") || e.getErrorCode() == 1213;
  }

  private static PreparedStatement prepare(Resources rt, Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
    return ps;
  }

  private static String shown(String resourceId) {
    return "'" + (resourceId.length() <= 100 ? resourceId : resourceId.substring(0, 100) + "...") + "'";
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Resources rt = resources;
    resources = null;
    if (rt == null) {
      return;
    }
    if (rt.cleaner() != null) {
      rt.cleaner().shutdownNow();
    }
    try {
      rt.pool().close();
    } catch (RuntimeException e) {
      log.warn("closing the connection pool of {} lock store '{}' failed: {}", dialect.type(),
          rt.config().componentName(), e.toString());
    }
  }
}
