package io.layotto.components.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateRequests;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state store in one relational table, shared by the PostgreSQL and MySQL/MariaDB types.
 *
 * <p>Each key is one row found by the SHA-256 of its UTF-8 bytes (so keys of any length fit a
 * primary key), with the full key text, the value bytes, a {@code version} whose decimal form is
 * the etag, and an optional {@code expire_at}. Rows past {@code expire_at} are treated as absent by
 * every statement and deleted by a periodic sweep. Times come from the database clock, so
 * sidecars with skewed clocks agree on expiry.
 *
 * <p>Conditional writes are single statements whose WHERE clause carries the condition; the
 * affected-row count tells whether it held. New rows start at a random version so that an etag
 * read before a delete does not match a row created after it.
 */
public final class JdbcStateStore implements StateStore {

  private static final Logger log = LoggerFactory.getLogger(JdbcStateStore.class);
  private static final Set<StateFeature> FEATURES = Set.copyOf(EnumSet.of(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL));
  /** Keys per {@code IN (...)} list. */
  private static final int CHUNK = 100;
  /** Upper bound of a new row's version; far from overflow however often the row is rewritten. */
  private static final long MAX_INITIAL_VERSION = 1L << 52;
  /** Dapr's response metadata key for the expiry of a value. */
  static final String TTL_EXPIRE_TIME = "ttlExpireTime";

  private final SqlDialect dialect;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Resources resources;

  /** Everything init() creates; absent before init and after close. */
  private record Resources(JdbcStateStoreConfig config, HikariDataSource pool, Statements sql, SqlFailures failures,
      @Nullable ScheduledExecutorService cleaner) {}

  JdbcStateStore(SqlDialect dialect) {
    this.dialect = dialect;
  }

  @Override
  public Set<StateFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata) {
    if (resources != null || closed.get()) {
      throw new IllegalStateException(dialect.type() + " state store initialised twice or after close");
    }
    JdbcStateStoreConfig config = JdbcStateStoreConfig.from(metadata, dialect);
    SqlFailures failures = new SqlFailures(dialect.type(), config.componentName(), config.connection());
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(ConnectionPools.config(dialect, config, ""));
    } catch (RuntimeException e) {
      // HikariPool.PoolInitializationException: the first connection failed
      throw failures.translate(e.getCause() instanceof SQLException sql ? sql : e, "connecting");
    }
    Statements sql = new Statements(dialect, config.table().qualified(dialect));
    try {
      createTable(pool, config, failures);
      checkTableLayout(pool, config, failures);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    ScheduledExecutorService cleaner = null;
    if (config.cleanupIntervalSeconds() > 0) {
      cleaner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
          .name("layotto-" + dialect.type() + "-cleanup-" + config.componentName()).factory());
      cleaner.scheduleWithFixedDelay(this::deleteExpiredRows, config.cleanupIntervalSeconds(),
          config.cleanupIntervalSeconds(), TimeUnit.SECONDS);
    }
    resources = new Resources(config, pool, sql, failures, cleaner);
    log.info("{} state store '{}' ready on {} table {}", dialect.type(), config.componentName(),
        config.connection().describe(), config.table());
  }

  private void createTable(HikariDataSource pool, JdbcStateStoreConfig config, SqlFailures failures) {
    List<String> ddl = dialect.createTable(config.table(), config.createSchema());
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection(); var st = c.createStatement()) {
        st.setQueryTimeout(config.queryTimeoutSeconds());
        for (String statement : ddl) {
          st.execute(statement);
        }
        return;
      } catch (SQLException e) {
        if (attempt < 3 && dialect.isConcurrentCreate(e)) {
          continue;
        }
        if (!SqlFailures.isUnavailable(e)) {
          // e.g. the index statement failed on a foreign table: say that rather than the SQL error
          checkTableLayout(pool, config, failures);
        }
        throw failures.translate(e, "creating table " + config.table());
      }
    }
  }

  /**
   * Checks that an existing table has this store's columns: a table of the same name made by
   * something else (e.g. Dapr's own layout) would otherwise fail every request.
   */
  private void checkTableLayout(HikariDataSource pool, JdbcStateStoreConfig config, SqlFailures failures) {
    String probe = "SELECT key_hash, key_text, value, version, expire_at, inserted_at, updated_at FROM "
        + config.table().qualified(dialect) + " WHERE 1 = 0";
    try (Connection c = pool.getConnection(); var st = c.createStatement()) {
      st.setQueryTimeout(config.queryTimeoutSeconds());
      st.executeQuery(probe).close();
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
  public Optional<StateValue> get(GetRequest request) {
    byte[] hash = keyHash(request.key());
    return run("reading key " + shown(request.key()), (rt, c) -> {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().get)) {
        ps.setBytes(1, hash);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(stateValue(rs, 1)) : Optional.<StateValue>empty();
        }
      }
    });
  }

  /** Reads value, version, expire_at from {@code column} on. */
  private StateValue stateValue(ResultSet rs, int column) throws SQLException {
    byte[] data = rs.getBytes(column);
    String etag = Long.toString(rs.getLong(column + 1));
    Instant expiry = dialect.readInstant(rs, column + 2);
    return new StateValue(data, etag, expiry == null ? Map.of() : Map.of(TTL_EXPIRE_TIME, expiry.toString()));
  }

  @Override
  public List<BulkGetItem> bulkGet(List<GetRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    Map<String, byte[]> hashes = new LinkedHashMap<>();
    for (GetRequest r : requests) {
      byte[] hash = keyHash(r.key());
      hashes.putIfAbsent(HexFormat.of().formatHex(hash), hash);
    }
    Map<String, StateValue> found = run("reading " + requests.size() + " keys", (rt, c) -> {
      Map<String, StateValue> values = new HashMap<>();
      List<byte[]> all = List.copyOf(hashes.values());
      for (int from = 0; from < all.size(); from += CHUNK) {
        List<byte[]> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
        try (PreparedStatement ps = prepare(rt, c, rt.sql().bulkGet(chunk.size()))) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setBytes(i + 1, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              values.put(HexFormat.of().formatHex(rs.getBytes(1)), stateValue(rs, 2));
            }
          }
        }
      }
      return values;
    });
    List<BulkGetItem> items = new ArrayList<>(requests.size());
    for (GetRequest r : requests) {
      items.add(new BulkGetItem(r.key(), found.get(HexFormat.of().formatHex(keyHash(r.key()))), null));
    }
    return items;
  }

  @Override
  public void set(SetRequest request) {
    Write write = Write.of(request);
    run("writing key " + shown(request.key()), (rt, c) -> {
      write(rt, c, write);
      return null;
    });
  }

  @Override
  public void bulkSet(List<SetRequest> requests) {
    List<Write> writes = requests.stream().map(Write::of).toList();
    if (!writes.stream().allMatch(Write::unconditional)) {
      run("writing " + writes.size() + " keys", (rt, c) -> {
        for (Write w : writes) {
          write(rt, c, w);
        }
        return null;
      });
      return;
    }
    // Unconditional upserts are sent as one batch in one transaction: fewer round trips.
    transaction("writing " + writes.size() + " keys", (rt, c) -> {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().upsert)) {
        for (Write w : writes) {
          bindRow(ps, w);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    });
  }

  @Override
  public void delete(DeleteRequest request) {
    Removal removal = Removal.of(request);
    run("deleting key " + shown(request.key()), (rt, c) -> {
      remove(rt, c, removal);
      return null;
    });
  }

  @Override
  public void bulkDelete(List<DeleteRequest> requests) {
    List<Removal> removals = requests.stream().map(Removal::of).toList();
    run("deleting " + removals.size() + " keys", (rt, c) -> {
      if (removals.stream().anyMatch(r -> r.version() != null)) {
        for (Removal r : removals) {
          remove(rt, c, r);
        }
        return null;
      }
      for (int from = 0; from < removals.size(); from += CHUNK) {
        List<Removal> chunk = removals.subList(from, Math.min(removals.size(), from + CHUNK));
        try (PreparedStatement ps = prepare(rt, c, rt.sql().bulkDelete(chunk.size()))) {
          for (int i = 0; i < chunk.size(); i++) {
            ps.setBytes(i + 1, chunk.get(i).hash());
          }
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    // Everything is checked before the transaction starts, so a bad request changes nothing.
    List<Object> steps = new ArrayList<>(operations.size());
    for (TransactionalOperation op : operations) {
      steps.add(switch (op) {
        case TransactionalOperation.Upsert u -> Write.of(u.request());
        case TransactionalOperation.Delete d -> Removal.of(d.request());
      });
    }
    if (steps.isEmpty()) {
      return;
    }
    transaction("running a transaction of " + steps.size() + " operations", (rt, c) -> {
      for (Object step : steps) {
        if (step instanceof Write w) {
          write(rt, c, w);
        } else {
          remove(rt, c, (Removal) step);
        }
      }
    });
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
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
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
      log.warn("closing the connection pool of {} state store '{}' failed: {}", dialect.type(),
          rt.config().componentName(), e.toString());
    }
  }

  /** The periodic sweep; failures are logged and retried at the next interval. */
  void deleteExpiredRows() {
    Resources rt = resources;
    if (rt == null) {
      return;
    }
    try (Connection c = rt.pool().getConnection(); PreparedStatement ps = prepare(rt, c, rt.sql().cleanup)) {
      int deleted = ps.executeUpdate();
      if (deleted > 0) {
        log.debug("{} state store '{}' deleted {} expired rows", dialect.type(), rt.config().componentName(), deleted);
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("{}", rt.failures().translate(e, "deleting expired rows").getMessage());
    }
  }

  // --- statements shared by single, bulk and transactional operations

  private void write(Resources rt, Connection c, Write w) throws SQLException {
    if (w.version() != null) {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().updateIfVersion)) {
        ps.setBytes(1, w.request().value());
        setTtl(ps, 2, w.ttl());
        ps.setBytes(3, w.hash());
        ps.setLong(4, w.version());
        if (ps.executeUpdate() == 0) {
          throw ComponentException.etagMismatch("etag '" + w.request().etag() + "' does not match the stored etag of key "
              + shown(w.request().key()) + " (or the key does not exist)");
        }
      }
    } else if (w.request().options().firstWrite()) {
      // an expired row is absent as far as the caller knows: clear it so the insert can succeed
      try (PreparedStatement ps = prepare(rt, c, rt.sql().deleteExpiredKey)) {
        ps.setBytes(1, w.hash());
        ps.executeUpdate();
      }
      int inserted;
      try (PreparedStatement ps = prepare(rt, c, rt.sql().insertIfAbsent)) {
        bindRow(ps, w);
        inserted = ps.executeUpdate();
      } catch (SQLException e) {
        if (!dialect.isDuplicateKey(e)) {
          throw e;
        }
        inserted = 0;
      }
      if (inserted == 0) {
        throw ComponentException.etagMismatch("key " + shown(w.request().key()) + " already exists (first-write)");
      }
    } else {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().upsert)) {
        bindRow(ps, w);
        ps.executeUpdate();
      }
    }
  }

  private void remove(Resources rt, Connection c, Removal r) throws SQLException {
    if (r.version() == null) {
      try (PreparedStatement ps = prepare(rt, c, rt.sql().delete)) {
        ps.setBytes(1, r.hash());
        ps.executeUpdate();
      }
      return;
    }
    try (PreparedStatement ps = prepare(rt, c, rt.sql().deleteIfVersion)) {
      ps.setBytes(1, r.hash());
      ps.setLong(2, r.version());
      if (ps.executeUpdate() == 0) {
        throw ComponentException.etagMismatch("etag '" + r.request().etag() + "' does not match the stored etag of key "
            + shown(r.request().key()) + " (or the key does not exist)");
      }
    }
  }

  /** Binds (key_hash, key_text, value, version, ttl) of an insert. */
  private void bindRow(PreparedStatement ps, Write w) throws SQLException {
    ps.setBytes(1, w.hash());
    ps.setString(2, dialect.storableKeyText(w.request().key()));
    ps.setBytes(3, w.request().value());
    ps.setLong(4, ThreadLocalRandom.current().nextLong(1, MAX_INITIAL_VERSION));
    setTtl(ps, 5, w.ttl());
  }

  private static void setTtl(PreparedStatement ps, int index, OptionalLong ttl) throws SQLException {
    if (ttl.isPresent()) {
      ps.setLong(index, ttl.getAsLong());
    } else {
      ps.setNull(index, Types.BIGINT);
    }
  }

  private static PreparedStatement prepare(Resources rt, Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    ps.setQueryTimeout(rt.config().queryTimeoutSeconds());
    return ps;
  }

  // --- connection handling

  @FunctionalInterface
  private interface Work<T> {
    T run(Resources rt, Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface TransactionWork {
    void run(Resources rt, Connection c) throws SQLException;
  }

  private <T> T run(String action, Work<T> work) {
    Resources rt = requireResources();
    try (Connection c = rt.pool().getConnection()) {
      return work.run(rt, c);
    } catch (SQLException e) {
      throw rt.failures().translate(e, action);
    }
  }

  /** Runs the work in one transaction; any failure rolls all of it back. */
  private void transaction(String action, TransactionWork work) {
    run(action, (rt, c) -> {
      c.setAutoCommit(false);
      try {
        work.run(rt, c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      return null;
    });
  }

  private Resources requireResources() {
    Resources rt = resources;
    if (rt == null) {
      throw ComponentException.unavailable(dialect.type() + " state store is " + (closed.get() ? "closed" : "not initialised"), null);
    }
    return rt;
  }

  // --- request checking

  /** A validated write: the etag parsed to a version, the ttl parsed, the key hashed. */
  private record Write(SetRequest request, byte[] hash, @Nullable Long version, OptionalLong ttl) {
    static Write of(SetRequest r) {
      return new Write(r, keyHash(r.key()), parseEtag(r.key(), r.etag()), StateRequests.ttlSeconds(r.metadata()));
    }

    boolean unconditional() {
      return version == null && !request.options().firstWrite();
    }
  }

  private record Removal(DeleteRequest request, byte[] hash, @Nullable Long version) {
    static Removal of(DeleteRequest r) {
      return new Removal(r, keyHash(r.key()), parseEtag(r.key(), r.etag()));
    }
  }

  private static @Nullable Long parseEtag(String key, @Nullable String etag) {
    if (etag == null) {
      return null;
    }
    try {
      return Long.parseLong(etag);
    } catch (NumberFormatException e) {
      throw ComponentException.invalidEtag("etag '" + shownEtag(etag) + "' of key " + shown(key)
          + " is not one this store produces (a decimal version number)");
    }
  }

  static byte[] keyHash(String key) {
    if (key.isEmpty()) {
      throw ComponentException.invalidArgument("key must not be empty");
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** A key for messages: quoted, cut short when long. */
  private static String shown(String key) {
    return "'" + (key.length() <= 200 ? key : key.substring(0, 200) + "...") + "'";
  }

  private static String shownEtag(String etag) {
    return etag.length() <= 100 ? etag : etag.substring(0, 100) + "...";
  }

  /** The SQL text of every statement, built once for the table. */
  private static final class Statements {
    final String get;
    final String upsert;
    final String insertIfAbsent;
    final String updateIfVersion;
    final String deleteExpiredKey;
    final String delete;
    final String deleteIfVersion;
    final String cleanup;
    private final String table;
    private final String live;

    Statements(SqlDialect dialect, String table) {
      this.table = table;
      String now = dialect.now();
      String expiry = dialect.nowPlusSeconds();
      live = "(expire_at IS NULL OR expire_at > " + now + ")";
      get = "SELECT value, version, expire_at FROM " + table + " WHERE key_hash = ? AND " + live;
      upsert = dialect.upsert(table, expiry);
      insertIfAbsent = dialect.insertIfAbsent(table, expiry);
      updateIfVersion = "UPDATE " + table + " SET value = ?, version = version + 1, expire_at = " + expiry
          + ", updated_at = " + now + " WHERE key_hash = ? AND version = ? AND " + live;
      deleteExpiredKey = "DELETE FROM " + table + " WHERE key_hash = ? AND expire_at <= " + now;
      delete = "DELETE FROM " + table + " WHERE key_hash = ?";
      deleteIfVersion = "DELETE FROM " + table + " WHERE key_hash = ? AND version = ? AND " + live;
      cleanup = "DELETE FROM " + table + " WHERE expire_at <= " + now;
    }

    String bulkGet(int keys) {
      return "SELECT key_hash, value, version, expire_at FROM " + table + " WHERE key_hash IN (" + placeholders(keys)
          + ") AND " + live;
    }

    String bulkDelete(int keys) {
      return "DELETE FROM " + table + " WHERE key_hash IN (" + placeholders(keys) + ")";
    }

    private static String placeholders(int n) {
      return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
  }
}
