package io.layotto.components.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.Concurrency;
import io.layotto.spi.state.Consistency;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import io.layotto.spi.testing.TcpProxy;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of the relational stores beyond the conformance kit, run against the real servers:
 * expiry bookkeeping in the table, bulk chunking, concurrent table creation, every accepted
 * connection-string form, and connection failures.
 */
abstract class JdbcStateStoreTestBase {

  /** A random table per test, dropped afterwards. */
  protected final String table = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  private final List<StateStore> stores = new ArrayList<>();

  abstract SqlDialect dialect();

  /** The shared test server in the store's own connection-string syntax. */
  abstract String connectionString();

  /** Every accepted syntax, each pointing at the shared test server. */
  abstract List<String> connectionStringForms();

  /** A connection-string to a closed port on 127.0.0.1, with the given password and database. */
  abstract String connectionStringToPort(int port, String password, String database);

  /** A connection-string to 127.0.0.1:{@code port} for the shared server's user and database. */
  abstract String connectionStringViaPort(int port);

  /** The shared server's port. */
  abstract int serverPort();

  /** Starts a transaction on {@code c} that holds a write lock on the key's row. */
  void lockRow(Connection c, String key) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("SELECT version FROM " + qualifiedTable() + " WHERE key_hash = ? FOR UPDATE")) {
      ps.setBytes(1, JdbcStateStore.keyHash(key));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  /** A connection-string naming a database that does not exist. */
  abstract String connectionStringToMissingDatabase(String database);

  abstract Connection adminConnection() throws SQLException;

  /** The table as it must be written in admin SQL. */
  String qualifiedTable() {
    return new TableName(null, table).qualified(dialect());
  }

  @AfterEach
  void closeStoresAndDropTable() throws SQLException {
    stores.forEach(StateStore::close);
    try (Connection c = adminConnection(); var st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + qualifiedTable());
    }
  }

  StateStore open(String... pairs) {
    Map<String, String> metadata = new HashMap<>();
    metadata.put("connectionString", connectionString());
    metadata.put("tableName", table);
    for (int i = 0; i < pairs.length; i += 2) {
      metadata.put(pairs[i], pairs[i + 1]);
    }
    StateStore store = new JdbcStateStore(dialect());
    stores.add(store);
    store.init(new Metadata("test-" + dialect().type(), metadata));
    return store;
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static SetRequest set(String key, String value, @Nullable String etag, Concurrency concurrency, Map<String, String> md) {
    return new SetRequest(key, bytes(value), etag, md, new StateOptions(concurrency, Consistency.UNSPECIFIED));
  }

  static String valueOf(StateStore store, String key) {
    return new String(store.get(GetRequest.of(key)).orElseThrow().data(), UTF_8);
  }

  static Kind kindOf(Runnable action) {
    try {
      action.run();
    } catch (ComponentException e) {
      return e.kind();
    }
    throw new AssertionError("expected a ComponentException");
  }

  /** Rows for the key in the table, expired ones included. */
  int rowsFor(String key) throws SQLException {
    try (Connection c = adminConnection();
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + qualifiedTable() + " WHERE key_hash = ?")) {
      ps.setBytes(1, JdbcStateStore.keyHash(key));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void largeValuesAndLongUnicodeKeysRoundTripWithTheFullKeyStored() throws SQLException {
    StateStore store = open();
    String key = "k-\u00e9\u4e2d\ud83d\ude00-".repeat(1500);
    byte[] value = new byte[1024 * 1024];
    new Random(7).nextBytes(value);
    store.set(SetRequest.of(key, value));
    StateValue read = store.get(GetRequest.of(key)).orElseThrow();
    assertThat(read.data()).isEqualTo(value);
    assertThat(read.etag()).matches("\\d+");
    try (Connection c = adminConnection();
        PreparedStatement ps = c.prepareStatement("SELECT key_text FROM " + qualifiedTable() + " WHERE key_hash = ?")) {
      ps.setBytes(1, JdbcStateStore.keyHash(key));
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(key);
      }
    }
  }

  @Test
  void aKeyWithANulCharacterIsStoredAndDistinctFromItsLookalike() {
    StateStore store = open();
    store.set(SetRequest.of("a\u0000b", bytes("nul")));
    store.set(SetRequest.of("a\uFFFDb", bytes("replacement")));
    assertThat(valueOf(store, "a\u0000b")).isEqualTo("nul");
    assertThat(valueOf(store, "a\uFFFDb")).isEqualTo("replacement");
  }

  @Test
  void everyWriteIncrementsTheVersionAndEtagsAreChecked() {
    StateStore store = open();
    store.set(SetRequest.of("k", bytes("v1")));
    String e1 = store.get(GetRequest.of("k")).orElseThrow().etag();
    store.set(set("k", "v2", e1, Concurrency.UNSPECIFIED, Map.of()));
    String e2 = store.get(GetRequest.of("k")).orElseThrow().etag();
    assertThat(Long.parseLong(e2)).isEqualTo(Long.parseLong(e1) + 1);
    store.set(SetRequest.of("k", bytes("v3")));
    assertThat(Long.parseLong(store.get(GetRequest.of("k")).orElseThrow().etag())).isEqualTo(Long.parseLong(e1) + 2);
    assertThat(kindOf(() -> store.set(set("k", "v4", e2, Concurrency.FIRST_WRITE, Map.of())))).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(kindOf(() -> store.delete(new DeleteRequest("k", e1, Map.of(), StateOptions.DEFAULT)))).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(kindOf(() -> store.set(set("k", "v4", "12abc", Concurrency.UNSPECIFIED, Map.of())))).isEqualTo(Kind.INVALID_ETAG);
    assertThat(valueOf(store, "k")).isEqualTo("v3");
  }

  @Test
  void aDeletedAndRecreatedKeyDoesNotAcceptTheOldEtag() {
    StateStore store = open();
    store.set(SetRequest.of("k", bytes("v1")));
    String old = store.get(GetRequest.of("k")).orElseThrow().etag();
    store.delete(DeleteRequest.of("k"));
    store.set(SetRequest.of("k", bytes("v2")));
    assertThat(kindOf(() -> store.set(set("k", "v3", old, Concurrency.UNSPECIFIED, Map.of())))).isEqualTo(Kind.ETAG_MISMATCH);
  }

  @Test
  void anExpiredRowIsAbsentForReadsAndConditionalWritesUntilSweptOrReplaced() throws SQLException {
    StateStore store = open("cleanupIntervalInSeconds", "0");
    store.set(set("k", "old", null, Concurrency.UNSPECIFIED, Map.of("ttlInSeconds", "1")));
    StateValue live = store.get(GetRequest.of("k")).orElseThrow();
    assertThat(live.metadata()).containsKey(JdbcStateStore.TTL_EXPIRE_TIME);
    String etag = live.etag();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.get(GetRequest.of("k")).isEmpty());
    assertThat(rowsFor("k")).as("the leftover row is still in the table").isEqualTo(1);
    assertThat(store.bulkGet(List.of(GetRequest.of("k")))).singleElement().extracting(BulkGetItem::value).isNull();
    assertThat(kindOf(() -> store.set(set("k", "x", etag, Concurrency.UNSPECIFIED, Map.of())))).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(kindOf(() -> store.delete(new DeleteRequest("k", etag, Map.of(), StateOptions.DEFAULT)))).isEqualTo(Kind.ETAG_MISMATCH);

    store.set(set("k", "new", null, Concurrency.FIRST_WRITE, Map.of()));
    StateValue replaced = store.get(GetRequest.of("k")).orElseThrow();
    assertThat(new String(replaced.data(), UTF_8)).isEqualTo("new");
    assertThat(replaced.metadata()).doesNotContainKey(JdbcStateStore.TTL_EXPIRE_TIME);
    assertThat(kindOf(() -> store.set(set("k", "again", null, Concurrency.FIRST_WRITE, Map.of())))).isEqualTo(Kind.ETAG_MISMATCH);
  }

  @Test
  void theSweepDeletesExpiredRows() throws SQLException {
    StateStore store = open("cleanupIntervalInSeconds", "1");
    store.set(set("short", "v", null, Concurrency.UNSPECIFIED, Map.of("ttlInSeconds", "1")));
    store.set(set("long", "v", null, Concurrency.UNSPECIFIED, Map.of("ttlInSeconds", "3600")));
    assertThat(rowsFor("short")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(15)).until(() -> rowsFor("short") == 0);
    assertThat(rowsFor("long")).isEqualTo(1);
  }

  @Test
  void aTransactionIsAllOrNothing() {
    StateStore store = open();
    store.set(SetRequest.of("b", bytes("b0")));
    store.set(SetRequest.of("c", bytes("c0")));
    String bEtag = store.get(GetRequest.of("b")).orElseThrow().etag();
    store.set(SetRequest.of("b", bytes("b1")));

    Kind failed = kindOf(() -> store.transact(List.of(
        new TransactionalOperation.Upsert(SetRequest.of("a", bytes("a1"))),
        new TransactionalOperation.Delete(DeleteRequest.of("c")),
        new TransactionalOperation.Upsert(set("b", "b2", bEtag, Concurrency.UNSPECIFIED, Map.of()))), Map.of()));
    assertThat(failed).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(store.get(GetRequest.of("a"))).isEmpty();
    assertThat(valueOf(store, "c")).isEqualTo("c0");
    assertThat(valueOf(store, "b")).isEqualTo("b1");

    Kind firstWriteLost = kindOf(() -> store.transact(List.of(
        new TransactionalOperation.Upsert(SetRequest.of("a", bytes("a1"))),
        new TransactionalOperation.Upsert(set("c", "c1", null, Concurrency.FIRST_WRITE, Map.of()))), Map.of()));
    assertThat(firstWriteLost).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(store.get(GetRequest.of("a"))).isEmpty();

    Kind badEtag = kindOf(() -> store.transact(List.of(
        new TransactionalOperation.Delete(DeleteRequest.of("c")),
        new TransactionalOperation.Upsert(set("b", "b2", "zz", Concurrency.UNSPECIFIED, Map.of()))), Map.of()));
    assertThat(badEtag).isEqualTo(Kind.INVALID_ETAG);
    assertThat(valueOf(store, "c")).isEqualTo("c0");

    String current = store.get(GetRequest.of("b")).orElseThrow().etag();
    store.transact(List.of(
        new TransactionalOperation.Upsert(SetRequest.of("a", bytes("a1"))),
        new TransactionalOperation.Upsert(set("a", "a2", null, Concurrency.UNSPECIFIED, Map.of("ttlInSeconds", "100"))),
        new TransactionalOperation.Delete(DeleteRequest.of("c")),
        new TransactionalOperation.Upsert(set("b", "b2", current, Concurrency.UNSPECIFIED, Map.of()))), Map.of());
    assertThat(valueOf(store, "a")).isEqualTo("a2");
    assertThat(store.get(GetRequest.of("c"))).isEmpty();
    assertThat(valueOf(store, "b")).isEqualTo("b2");
  }

  @Test
  void bulkOperationsSpanSeveralChunks() {
    StateStore store = open();
    List<SetRequest> writes = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      writes.add(SetRequest.of("bulk-" + i, bytes("v" + i)));
    }
    store.bulkSet(writes);
    List<GetRequest> reads = new ArrayList<>();
    for (int i = 249; i >= 0; i--) {
      reads.add(GetRequest.of("bulk-" + i));
    }
    reads.add(GetRequest.of("missing"));
    reads.add(GetRequest.of("bulk-7"));
    List<BulkGetItem> items = store.bulkGet(reads);
    assertThat(items).hasSize(252);
    for (int i = 0; i < 250; i++) {
      assertThat(items.get(i).key()).isEqualTo("bulk-" + (249 - i));
      assertThat(new String(items.get(i).value().data(), UTF_8)).isEqualTo("v" + (249 - i));
    }
    assertThat(items.get(250).value()).isNull();
    assertThat(items.get(251).value().data()).isEqualTo(bytes("v7"));

    List<DeleteRequest> deletes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      deletes.add(DeleteRequest.of("bulk-" + i));
    }
    store.bulkDelete(deletes);
    assertThat(store.bulkGet(reads).stream().filter(item -> item.value() != null)).hasSize(50);

    String etag = store.get(GetRequest.of("bulk-200")).orElseThrow().etag();
    assertThat(kindOf(() -> store.bulkDelete(List.of(
        new DeleteRequest("bulk-200", etag, Map.of(), StateOptions.DEFAULT),
        new DeleteRequest("bulk-201", "1", Map.of(), StateOptions.DEFAULT))))).isEqualTo(Kind.ETAG_MISMATCH);
    assertThat(store.get(GetRequest.of("bulk-200"))).isEmpty();
    assertThat(store.get(GetRequest.of("bulk-201"))).isPresent();
  }

  @Test
  void storesStartingTogetherShareOneNewTable() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<StateStore>> started = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        started.add(pool.submit(() -> open("maxConns", "2")));
      }
      for (int i = 0; i < started.size(); i++) {
        started.get(i).get().set(SetRequest.of("from-" + i, bytes("x")));
      }
      assertThat(valueOf(open(), "from-3")).isEqualTo("x");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everyConnectionStringFormConnects() {
    for (String form : connectionStringForms()) {
      StateStore store = open("connectionString", form);
      store.set(SetRequest.of("form", bytes(form)));
      assertThat(valueOf(store, "form")).as(form).isEqualTo(form);
      assertThat(store.checkHealth().isUp()).isTrue();
    }
  }

  @Test
  void aClosedPortIsUnavailableOnInitQuicklyWithoutThePassword() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String connectionString = connectionStringToPort(port, "secret-pw-123", "somedb");
    ComponentException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      StateStore store = new JdbcStateStore(dialect());
      try {
        store.init(new Metadata("down", Map.of("connectionString", connectionString)));
        throw new AssertionError("init succeeded against a closed port");
      } catch (ComponentException failure) {
        return failure;
      } finally {
        store.close();
      }
    });
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("somedb").contains("'down'")
        .doesNotContain("secret-pw-123");
  }

  @Test
  void aMissingDatabaseIsUnavailableNamingIt() {
    String db = "nosuchdb_" + UUID.randomUUID().toString().substring(0, 8);
    StateStore store = new JdbcStateStore(dialect());
    try {
      assertThatThrownBy(() -> store.init(new Metadata("nodb", Map.of("connectionString", connectionStringToMissingDatabase(db)))))
          .isInstanceOfSatisfying(ComponentException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(e.getMessage()).contains(db);
          });
    } finally {
      store.close();
    }
  }

  @Test
  void losingTheServerIsUnavailableAndTheStoreRecoversWhenItIsBack() throws Exception {
    TcpProxy proxy = TcpProxy.listening(0, serverPort());
    int port = proxy.port();
    StateStore store;
    try {
      store = open("connectionString", connectionStringViaPort(port));
      store.set(SetRequest.of("k", bytes("v1")));
    } finally {
      proxy.close();
    }
    ComponentException e = assertThrowsComponentException(() -> store.get(GetRequest.of("k")));
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("reading key 'k'");
    assertThat(kindOf(() -> store.set(SetRequest.of("k", bytes("v2"))))).isEqualTo(Kind.UNAVAILABLE);
    assertThat(store.checkHealth().isUp()).isFalse();
    assertThat(store.checkHealth().reason()).contains("127.0.0.1:" + port);

    TcpProxy back = TcpProxy.listening(port, serverPort());
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> store.checkHealth().isUp());
      assertThat(valueOf(store, "k")).isEqualTo("v1");
    } finally {
      back.close();
    }
  }

  @Test
  void aStatementOverTimeoutInSecondsIsUnavailable() throws SQLException {
    StateStore store = open("timeoutInSeconds", "1");
    store.set(SetRequest.of("locked", bytes("v1")));
    String etag = store.get(GetRequest.of("locked")).orElseThrow().etag();
    try (Connection blocker = adminConnection()) {
      lockRow(blocker, "locked");
      ComponentException e = assertThrowsComponentException(
          () -> store.set(set("locked", "v2", etag, Concurrency.UNSPECIFIED, Map.of())));
      assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(e.getMessage()).contains("writing key 'locked'");
      blocker.rollback();
    }
    assertThat(valueOf(store, "locked")).isEqualTo("v1");
  }

  static ComponentException assertThrowsComponentException(Runnable action) {
    try {
      action.run();
    } catch (ComponentException e) {
      return e;
    }
    throw new AssertionError("expected a ComponentException");
  }

  @Test
  void aTableOfTheSameNameWithOtherColumnsIsRejectedNamingTableName() throws SQLException {
    try (Connection c = adminConnection(); var st = c.createStatement()) {
      st.execute("CREATE TABLE " + qualifiedTable() + " (id INT PRIMARY KEY, value TEXT)");
    }
    StateStore store = new JdbcStateStore(dialect());
    try {
      assertThatThrownBy(() -> store.init(new Metadata("clash", Map.of("connectionString", connectionString(), "tableName", table))))
          .isInstanceOfSatisfying(ComponentException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains("'tableName'").contains(table).contains("'clash'");
          });
    } finally {
      store.close();
    }
  }

  @Test
  void healthIsUpWhileOpenAndDownAfterClose() {
    StateStore store = open();
    assertThat(store.checkHealth().isUp()).isTrue();
    store.close();
    assertThat(store.checkHealth().isUp()).isFalse();
    assertThat(store.checkHealth().reason()).contains("closed");
    assertThat(kindOf(() -> store.get(GetRequest.of("k")))).isEqualTo(Kind.UNAVAILABLE);
    store.close();
  }

  @Test
  void aMissingTableAfterInitIsAnInternalErrorNamingTheOperation() throws SQLException {
    StateStore store = open();
    try (Connection c = adminConnection(); var st = c.createStatement()) {
      st.execute("DROP TABLE " + qualifiedTable());
    }
    assertThatThrownBy(() -> store.get(GetRequest.of("k")))
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
          assertThat(e.getMessage()).contains("reading key 'k'").doesNotContain("\n");
        });
  }
}
