package io.layotto.spi.state;

import static io.layotto.spi.state.ConformanceAssertions.assertFailsWith;
import static io.layotto.spi.state.ConformanceAssertions.assertValue;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link StateStore} must show, run against a real backend. A component's test
 * extends this class and implements {@link #createStore()}.
 *
 * <h2>Lifecycle</h2>
 * One store per test class: {@link #createStore()} is called once before the first test and the
 * store is closed once after the last (plus one extra short-lived store in
 * {@link #closeIsIdempotent()}). Tests never clean the backend: every key starts with a random
 * per-run prefix ({@link #runPrefix()}) and carries a per-test sequence number, so concurrent runs
 * against the same shared server never collide.
 *
 * <h2>Capabilities</h2>
 * Each optional {@link StateFeature} the store declares in {@link StateStore#features()} is tested in
 * full. For an undeclared one the kit asserts the store refuses it with
 * {@link Kind#UNSUPPORTED} instead of silently ignoring it: an etag or {@code first-write} on a store
 * without {@link StateFeature#ETAG}, a {@code ttlInSeconds} on a store without
 * {@link StateFeature#TTL}, and {@link StateStore#transact} on a store without
 * {@link StateFeature#TRANSACTIONAL}. Nothing is skipped.
 *
 * <h2>Use</h2>
 * Depend on {@code layotto-spi} with {@code <type>test-jar</type>} (test scope) and write:
 * <pre>{@code
 * class RedisStateStoreConformanceTest extends StateStoreConformance {
 *   protected StateStore createStore() {
 *     StateStore store = new RedisStateStoreFactory().create();
 *     store.init(new Metadata("state_conformance", Map.of("redisHost", "127.0.0.1:6379")));
 *     return store;
 *   }
 * }
 * }</pre>
 * Only the spi module's surefire excludes {@code *Conformance*} classes; component modules run such a
 * test like any other. A store that cannot reach its backend must throw from {@code createStore()},
 * which fails (never skips) every test of the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StateStoreConformance {

  /** Upper bound for a one-second TTL to become invisible. */
  private static final Duration TTL_EXPIRY_BOUND = Duration.ofSeconds(5);
  private static final int PARALLEL_WRITERS = 64;
  private static final Duration PARALLEL_WRITERS_BOUND = Duration.ofSeconds(120);

  private final String runPrefix = "conformance-" + UUID.randomUUID().toString().substring(0, 13) + "-";
  private final AtomicInteger keySequence = new AtomicInteger();
  private @Nullable StateStore store;

  /** A new store, already initialised against the backend under test. The kit closes it. */
  protected abstract StateStore createStore();

  /**
   * How many increments each of the 64 parallel writers performs in the lost-update test. Kept small
   * so that slow backends finish in seconds; the contention, not the count, is what is tested.
   */
  protected int incrementsPerParallelWriter() {
    return 4;
  }

  @BeforeAll
  final void openStore() {
    store = createStore();
  }

  @AfterAll
  final void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  /** The store shared by all tests of the class, for extra tests in subclasses. */
  protected final StateStore store() {
    return Objects.requireNonNull(store, "store not created yet");
  }

  /** The random prefix of every key this run writes. */
  protected final String runPrefix() {
    return runPrefix;
  }

  /** A key unique to this run and call, readable in backend dumps. */
  protected final String key(String name) {
    return runPrefix + name + "-" + keySequence.incrementAndGet();
  }

  private boolean supports(StateFeature feature) {
    return store().features().contains(feature);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  @DisplayName("a freshly initialised store reports healthy")
  void reportsHealthy() {
    assertThat(store().checkHealth().isUp()).as("checkHealth() of %s", store().getClass().getName()).isTrue();
  }

  @Test
  @DisplayName("close() may be called twice without throwing")
  void closeIsIdempotent() {
    StateStore another = createStore();
    another.close();
    another.close();
  }

  // ---------------------------------------------------------------- CRUD

  @Test
  @DisplayName("get of a missing key returns empty")
  void getOfMissingKeyIsEmpty() {
    assertThat(get(key("missing"))).isEmpty();
  }

  @Test
  @DisplayName("set then get returns the value")
  void setThenGet() {
    String key = key("crud");
    set(key, "v1");
    assertValue(get(key), "v1");
  }

  @Test
  @DisplayName("an overwrite replaces the value")
  void overwrite() {
    String key = key("overwrite");
    set(key, "v1");
    set(key, "v2");
    assertValue(get(key), "v2");
  }

  @Test
  @DisplayName("delete removes the key")
  void deleteRemovesKey() {
    String key = key("delete");
    set(key, "v1");
    store().delete(DeleteRequest.of(key));
    assertThat(get(key)).isEmpty();
  }

  @Test
  @DisplayName("delete of a missing key succeeds")
  void deleteOfMissingKey() {
    String key = key("delete-missing");
    store().delete(DeleteRequest.of(key));
    assertThat(get(key)).isEmpty();
  }

  @Test
  @DisplayName("an empty value round-trips and is not confused with a missing key")
  void emptyValue() {
    String key = key("empty");
    store().set(SetRequest.of(key, new byte[0]));
    Optional<StateValue> value = get(key);
    assertThat(value).isPresent();
    assertThat(value.orElseThrow().data()).isEmpty();
  }

  @Test
  @DisplayName("all 256 byte values (not UTF-8) round-trip byte-exact")
  void binaryValue() {
    byte[] data = new byte[512];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i % 256);
    }
    String key = key("binary");
    store().set(SetRequest.of(key, data));
    assertThat(get(key).orElseThrow().data()).isEqualTo(data);
  }

  @Test
  @DisplayName("a 1 MiB value round-trips")
  void oneMebibyteValue() {
    byte[] data = new byte[1024 * 1024];
    new Random(42).nextBytes(data);
    String key = key("1mib");
    store().set(SetRequest.of(key, data));
    assertThat(get(key).orElseThrow().data()).isEqualTo(data);
  }

  @TestFactory
  @DisplayName("unicode keys round-trip")
  Stream<DynamicTest> unicodeKeys() {
    Map<String, String> keys = Map.of(
        "CJK", "状态-キー-상태",
        "emoji", "\uD83D\uDE80\uD83D\uDC4D\uD83C\uDFFD-\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
        "combining marks", "e\u0301-a\u0308-n\u0303-\u0915\u094D\u0937",
        "mixed scripts and punctuation", "ключ/κλειδί:مفتاح|| $*?");
    return keys.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> dynamicTest(e.getKey(), () -> {
      String key = key(e.getValue());
      set(key, "value of " + e.getKey());
      assertValue(get(key), "value of " + e.getKey());
      store().delete(DeleteRequest.of(key));
      assertThat(get(key)).isEmpty();
    }));
  }

  @Test
  @DisplayName("a key of 1024 characters round-trips")
  void longKey() {
    String base = key("long");
    String key = base + "k".repeat(1024 - base.length());
    assertThat(key).hasSize(1024);
    set(key, "long");
    assertValue(get(key), "long");
    assertThat(get(key.substring(0, 1023))).isEmpty();
  }

  @Test
  @DisplayName("the stored value is isolated from the caller's arrays")
  void valuesAreCopied() {
    String key = key("isolation");
    byte[] written = "original".getBytes(UTF_8);
    store().set(SetRequest.of(key, written));
    written[0] = 'X';
    byte[] read = get(key).orElseThrow().data();
    assertThat(read).isEqualTo("original".getBytes(UTF_8));
    read[0] = 'Y';
    assertValue(get(key), "original");
  }

  @Test
  @DisplayName("a last-write or unspecified write without etag always wins")
  void lastWriteWithoutEtagWins() {
    String key = key("last-write");
    set(key, "v1");
    store().set(new SetRequest(key, bytes("v2"), null, Map.of(), options(Concurrency.LAST_WRITE)));
    assertValue(get(key), "v2");
    store().set(new SetRequest(key, bytes("v3"), null, Map.of(), StateOptions.DEFAULT));
    assertValue(get(key), "v3");
  }

  // ---------------------------------------------------------------- bulk

  @Test
  @DisplayName("bulkGet returns one item per request, in request order, with missing keys empty")
  void bulkGetMixed() {
    String a = key("bulk-a");
    String missing1 = key("bulk-missing");
    String b = key("bulk-b");
    String missing2 = key("bulk-missing");
    set(a, "A");
    set(b, "B");
    List<GetRequest> requests = Stream.of(b, missing1, a, missing2).map(GetRequest::of).toList();
    List<BulkGetItem> items = store().bulkGet(requests);

    assertThat(items).extracting(BulkGetItem::key).containsExactly(b, missing1, a, missing2);
    assertThat(items).extracting(BulkGetItem::error).containsOnlyNulls();
    assertThat(items.get(0).value()).isNotNull();
    assertThat(items.get(0).value().data()).isEqualTo(bytes("B"));
    assertThat(items.get(1).value()).isNull();
    assertThat(items.get(2).value()).isNotNull();
    assertThat(items.get(2).value().data()).isEqualTo(bytes("A"));
    assertThat(items.get(3).value()).isNull();
    if (supports(StateFeature.ETAG)) {
      assertThat(items.get(0).value().etag()).isEqualTo(get(b).orElseThrow().etag());
    }
  }

  @Test
  @DisplayName("bulkGet of no keys returns no items")
  void bulkGetEmpty() {
    assertThat(store().bulkGet(List.of())).isEmpty();
  }

  @Test
  @DisplayName("bulkSet writes every key")
  void bulkSet() {
    String a = key("bulkset-a");
    String b = key("bulkset-b");
    String c = key("bulkset-c");
    set(b, "old");
    store().bulkSet(List.of(SetRequest.of(a, bytes("A")), SetRequest.of(b, bytes("B")), SetRequest.of(c, bytes("C"))));
    assertValue(get(a), "A");
    assertValue(get(b), "B");
    assertValue(get(c), "C");
  }

  @Test
  @DisplayName("bulkDelete removes every key, missing ones included")
  void bulkDelete() {
    String a = key("bulkdel-a");
    String b = key("bulkdel-b");
    String missing = key("bulkdel-missing");
    String kept = key("bulkdel-kept");
    set(a, "A");
    set(b, "B");
    set(kept, "K");
    store().bulkDelete(List.of(DeleteRequest.of(a), DeleteRequest.of(missing), DeleteRequest.of(b)));
    assertThat(get(a)).isEmpty();
    assertThat(get(b)).isEmpty();
    assertThat(get(missing)).isEmpty();
    assertValue(get(kept), "K");
  }

  // ---------------------------------------------------------------- etag

  @TestFactory
  @DisplayName("etags (optimistic concurrency)")
  Stream<DynamicTest> etags() {
    if (!supports(StateFeature.ETAG)) {
      return Stream.of(
          dynamicTest("a write with an etag is refused as UNSUPPORTED", this::etagWriteRefused),
          dynamicTest("a delete with an etag is refused as UNSUPPORTED", this::etagDeleteRefused));
    }
    return Stream.of(
        dynamicTest("get returns an etag", this::getReturnsEtag),
        dynamicTest("every write produces a new etag", this::everyWriteChangesEtag),
        dynamicTest("a write with the current etag succeeds and changes the etag", this::writeWithCurrentEtag),
        dynamicTest("a write with a stale etag fails with ETAG_MISMATCH and changes nothing", this::writeWithStaleEtag),
        dynamicTest("a delete with the current etag succeeds", this::deleteWithCurrentEtag),
        dynamicTest("a delete with a stale etag fails with ETAG_MISMATCH and keeps the key", this::deleteWithStaleEtag),
        dynamicTest("an etag on a missing key fails with ETAG_MISMATCH", this::etagOnMissingKey),
        dynamicTest("a malformed etag fails with ETAG_MISMATCH or INVALID_ETAG", this::malformedEtag),
        dynamicTest(PARALLEL_WRITERS + " parallel read-etag-write loops lose no update", this::parallelWritersLoseNoUpdate));
  }

  private void getReturnsEtag() {
    String key = key("etag-get");
    set(key, "v1");
    assertThat(get(key).orElseThrow().etag()).isNotBlank();
  }

  private void everyWriteChangesEtag() {
    String key = key("etag-every-write");
    set(key, "same");
    String first = etagOf(key);
    set(key, "same");
    assertThat(etagOf(key)).isNotBlank().isNotEqualTo(first);
  }

  private void writeWithCurrentEtag() {
    String key = key("etag-current");
    set(key, "v1");
    String etag = etagOf(key);
    store().set(setWithEtag(key, "v2", etag));
    StateValue value = get(key).orElseThrow();
    assertThat(value.data()).isEqualTo(bytes("v2"));
    assertThat(value.etag()).isNotBlank().isNotEqualTo(etag);
  }

  private void writeWithStaleEtag() {
    String key = key("etag-stale");
    set(key, "v1");
    String stale = etagOf(key);
    set(key, "v2");
    String current = etagOf(key);
    assertFailsWith(() -> store().set(setWithEtag(key, "v3", stale)), Kind.ETAG_MISMATCH);
    StateValue value = get(key).orElseThrow();
    assertThat(value.data()).isEqualTo(bytes("v2"));
    assertThat(value.etag()).isEqualTo(current);
  }

  private void deleteWithCurrentEtag() {
    String key = key("etag-delete");
    set(key, "v1");
    store().delete(deleteWithEtag(key, etagOf(key)));
    assertThat(get(key)).isEmpty();
  }

  private void deleteWithStaleEtag() {
    String key = key("etag-delete-stale");
    set(key, "v1");
    String stale = etagOf(key);
    set(key, "v2");
    assertFailsWith(() -> store().delete(deleteWithEtag(key, stale)), Kind.ETAG_MISMATCH);
    assertValue(get(key), "v2");
  }

  private void etagOnMissingKey() {
    String existing = key("etag-source");
    set(existing, "v1");
    String wellFormed = etagOf(existing);
    String missing = key("etag-missing");
    assertFailsWith(() -> store().set(setWithEtag(missing, "v1", wellFormed)), Kind.ETAG_MISMATCH);
    assertThat(get(missing)).isEmpty();
    assertFailsWith(() -> store().delete(deleteWithEtag(missing, wellFormed)), Kind.ETAG_MISMATCH);
  }

  private void malformedEtag() {
    String key = key("etag-malformed");
    set(key, "v1");
    assertFailsWith(() -> store().set(setWithEtag(key, "v2", "not-an-etag")), Kind.ETAG_MISMATCH, Kind.INVALID_ETAG);
    assertFailsWith(() -> store().delete(deleteWithEtag(key, "not-an-etag")), Kind.ETAG_MISMATCH, Kind.INVALID_ETAG);
    assertValue(get(key), "v1");
    String missing = key("etag-malformed-missing");
    assertFailsWith(() -> store().set(setWithEtag(missing, "v1", "not-an-etag")), Kind.ETAG_MISMATCH, Kind.INVALID_ETAG);
    assertThat(get(missing)).isEmpty();
  }

  private void parallelWritersLoseNoUpdate() throws Exception {
    String key = key("counter");
    set(key, "0");
    int increments = incrementsPerParallelWriter();
    runInParallel(PARALLEL_WRITERS, w -> {
      for (int i = 0; i < increments; i++) {
        incrementWithRetry(key);
      }
    });
    assertValue(get(key), Integer.toString(PARALLEL_WRITERS * increments));
  }

  /** Work of one parallel writer, given its number. */
  private interface Writer {
    void run(int writer) throws Exception;
  }

  /** Starts all writers at once and waits for them, failing on the first error or after the bound. */
  private static void runInParallel(int writers, Writer work) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        running.add(pool.submit(() -> {
          start.await();
          work.run(writer);
          return null;
        }));
      }
      start.countDown();
      long deadline = System.nanoTime() + PARALLEL_WRITERS_BOUND.toNanos();
      for (Future<?> writer : running) {
        writer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One read-etag-then-write increment, retried on ETAG_MISMATCH. */
  private void incrementWithRetry(String key) {
    while (!Thread.currentThread().isInterrupted()) {
      StateValue current = get(key).orElseThrow();
      long next = Long.parseLong(new String(current.data(), UTF_8)) + 1;
      try {
        store().set(setWithEtag(key, Long.toString(next), Objects.requireNonNull(current.etag())));
        return;
      } catch (ComponentException e) {
        if (e.kind() != Kind.ETAG_MISMATCH) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("interrupted: the parallel writers did not finish in time");
  }

  private void etagWriteRefused() {
    String key = key("no-etag-support");
    set(key, "v1");
    assertFailsWith(() -> store().set(setWithEtag(key, "v2", "1")), Kind.UNSUPPORTED);
    assertValue(get(key), "v1");
  }

  private void etagDeleteRefused() {
    String key = key("no-etag-support-delete");
    set(key, "v1");
    assertFailsWith(() -> store().delete(deleteWithEtag(key, "1")), Kind.UNSUPPORTED);
    assertValue(get(key), "v1");
  }

  // ---------------------------------------------------------------- first-write

  @TestFactory
  @DisplayName("first-write concurrency")
  Stream<DynamicTest> firstWrite() {
    if (!supports(StateFeature.ETAG)) {
      return Stream.of(dynamicTest("first-write is refused as UNSUPPORTED", () -> {
        String key = key("no-first-write-support");
        assertFailsWith(() -> store().set(firstWrite(key, "v1", null)), Kind.UNSUPPORTED);
        assertThat(get(key)).isEmpty();
      }));
    }
    return Stream.of(
        dynamicTest("first-write without etag on a new key succeeds", () -> {
          String key = key("first-write-new");
          store().set(firstWrite(key, "v1", null));
          assertValue(get(key), "v1");
        }),
        dynamicTest("first-write without etag on an existing key fails with ETAG_MISMATCH", () -> {
          String key = key("first-write-existing");
          set(key, "v1");
          assertFailsWith(() -> store().set(firstWrite(key, "v2", null)), Kind.ETAG_MISMATCH);
          assertValue(get(key), "v1");
        }),
        dynamicTest("first-write with the current etag succeeds, with a stale one fails", () -> {
          String key = key("first-write-etag");
          set(key, "v1");
          String stale = etagOf(key);
          store().set(firstWrite(key, "v2", stale));
          assertValue(get(key), "v2");
          assertFailsWith(() -> store().set(firstWrite(key, "v3", stale)), Kind.ETAG_MISMATCH);
          assertValue(get(key), "v2");
        }));
  }

  // ---------------------------------------------------------------- transactions

  @TestFactory
  @DisplayName("transactions")
  Stream<DynamicTest> transactions() {
    if (!supports(StateFeature.TRANSACTIONAL)) {
      return Stream.of(dynamicTest("transact is refused as UNSUPPORTED and applies nothing", () -> {
        String upserted = key("no-tx-support");
        assertFailsWith(() -> store().transact(List.of(upsert(upserted, "v1", null)), Map.of()), Kind.UNSUPPORTED);
        assertThat(get(upserted)).isEmpty();
      }));
    }
    List<DynamicTest> tests = new ArrayList<>(List.of(
        dynamicTest("upserts and deletes are applied together", this::transactionApplies),
        dynamicTest("operations on the same key apply in order", this::transactionOrder),
        dynamicTest("a failing last operation leaves every earlier operation un-applied", this::transactionIsAtomic),
        dynamicTest("an invalid ttlInSeconds fails the whole transaction", this::transactionWithInvalidTtl),
        dynamicTest("an empty transaction is a no-op", () -> store().transact(List.of(), Map.of()))));
    if (supports(StateFeature.ETAG)) {
      tests.add(dynamicTest("parallel transactional and single etag writers lose no update",
          this::parallelTransactionalWritersLoseNoUpdate));
    }
    return tests.stream();
  }

  private void transactionApplies() {
    String kept = key("tx-upsert-existing");
    String created = key("tx-upsert-new");
    String deleted = key("tx-delete");
    String missing = key("tx-delete-missing");
    set(kept, "old");
    set(deleted, "doomed");
    store().transact(List.of(
        upsert(kept, "new", null),
        upsert(created, "created", null),
        delete(deleted, null),
        delete(missing, null)), Map.of());
    assertValue(get(kept), "new");
    assertValue(get(created), "created");
    assertThat(get(deleted)).isEmpty();
    assertThat(get(missing)).isEmpty();
    if (supports(StateFeature.ETAG)) {
      String etag = etagOf(kept);
      store().transact(List.of(upsert(kept, "newer", etag), delete(created, etagOf(created))), Map.of());
      assertValue(get(kept), "newer");
      assertThat(get(created)).isEmpty();
    }
  }

  private void transactionOrder() {
    String rewritten = key("tx-order-rewritten");
    String recreated = key("tx-order-recreated");
    String removed = key("tx-order-removed");
    set(recreated, "v0");
    store().transact(List.of(
        upsert(rewritten, "first", null),
        upsert(rewritten, "second", null),
        delete(recreated, null),
        upsert(recreated, "again", null),
        upsert(removed, "short-lived", null),
        delete(removed, null)), Map.of());
    assertValue(get(rewritten), "second");
    assertValue(get(recreated), "again");
    assertThat(get(removed)).isEmpty();
  }

  private void transactionIsAtomic() {
    String updated = key("tx-atomic-updated");
    String deleted = key("tx-atomic-deleted");
    String created = key("tx-atomic-created");
    String guarded = key("tx-atomic-guarded");
    set(updated, "u0");
    set(deleted, "d0");
    set(guarded, "g0");
    // Without etag support the etag itself is the failing operation (refused as UNSUPPORTED).
    String stale = "1";
    Kind expected = Kind.UNSUPPORTED;
    if (supports(StateFeature.ETAG)) {
      stale = etagOf(guarded);
      set(guarded, "g1");
      expected = Kind.ETAG_MISMATCH;
    }
    String staleEtag = stale;
    assertFailsWith(() -> store().transact(List.of(
        upsert(updated, "u1", null),
        delete(deleted, null),
        upsert(created, "c1", null),
        upsert(guarded, "g2", staleEtag)), Map.of()), expected);
    assertValue(get(updated), "u0");
    assertValue(get(deleted), "d0");
    assertThat(get(created)).isEmpty();
    assertValue(get(guarded), supports(StateFeature.ETAG) ? "g1" : "g0");

    if (supports(StateFeature.ETAG)) {
      String deletedEtag = etagOf(deleted);
      set(deleted, "d1");
      assertFailsWith(() -> store().transact(List.of(
          upsert(updated, "u2", null),
          delete(deleted, deletedEtag)), Map.of()), Kind.ETAG_MISMATCH);
      assertValue(get(updated), "u0");
      assertValue(get(deleted), "d1");
    }
  }

  private void transactionWithInvalidTtl() {
    String created = key("tx-ttl-created");
    String invalid = key("tx-ttl-invalid");
    SetRequest badTtl = new SetRequest(invalid, bytes("v1"), null, Map.of(StateRequests.TTL_IN_SECONDS, "abc"),
        StateOptions.DEFAULT);
    // A store without TTL may refuse the key itself rather than its value.
    Kind[] expected = supports(StateFeature.TTL)
        ? new Kind[] {Kind.INVALID_ARGUMENT}
        : new Kind[] {Kind.INVALID_ARGUMENT, Kind.UNSUPPORTED};
    assertFailsWith(() -> store().transact(List.of(
        upsert(created, "c1", null),
        new TransactionalOperation.Upsert(badTtl)), Map.of()), expected);
    assertThat(get(created)).isEmpty();
    assertThat(get(invalid)).isEmpty();
  }

  /**
   * Half the writers increment through single etag writes, half through one-operation transactions
   * with an etag: a transaction's etag check must be as atomic as a single write's.
   */
  private void parallelTransactionalWritersLoseNoUpdate() throws Exception {
    String key = key("tx-counter");
    set(key, "0");
    int writers = PARALLEL_WRITERS / 4;
    int increments = incrementsPerParallelWriter();
    runInParallel(writers, w -> {
      for (int i = 0; i < increments; i++) {
        if (w % 2 == 0) {
          incrementWithRetry(key);
        } else {
          incrementTransactionallyWithRetry(key);
        }
      }
    });
    assertValue(get(key), Integer.toString(writers * increments));
  }

  private void incrementTransactionallyWithRetry(String key) {
    while (!Thread.currentThread().isInterrupted()) {
      StateValue current = get(key).orElseThrow();
      long next = Long.parseLong(new String(current.data(), UTF_8)) + 1;
      try {
        store().transact(List.of(upsert(key, Long.toString(next), current.etag())), Map.of());
        return;
      } catch (ComponentException e) {
        if (e.kind() != Kind.ETAG_MISMATCH) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("interrupted: the parallel writers did not finish in time");
  }

  // ---------------------------------------------------------------- TTL

  @TestFactory
  @DisplayName("ttlInSeconds")
  Stream<DynamicTest> ttl() {
    if (!supports(StateFeature.TTL)) {
      return Stream.of(dynamicTest("a write with ttlInSeconds is refused as UNSUPPORTED", () -> {
        String key = key("no-ttl-support");
        assertFailsWith(() -> store().set(setWithTtl(key, "v1", "1")), Kind.UNSUPPORTED);
        assertThat(get(key)).isEmpty();
      }));
    }
    return Stream.of(
        dynamicTest("a value with a ttl is readable before it expires", () -> {
          String key = key("ttl-long");
          store().set(setWithTtl(key, "v1", "3600"));
          assertValue(get(key), "v1");
        }),
        dynamicTest("ttlInSeconds=1 expires within " + TTL_EXPIRY_BOUND.toSeconds() + " s", () -> {
          String key = key("ttl-expires");
          store().set(setWithTtl(key, "v1", "1"));
          await().atMost(TTL_EXPIRY_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> get(key).isEmpty());
        }),
        dynamicTest("an overwrite without ttl removes the expiry", () -> {
          String key = key("ttl-removed");
          store().set(setWithTtl(key, "v1", "1"));
          set(key, "v2");
          await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(250))
              .until(() -> get(key).isPresent());
          assertValue(get(key), "v2");
        }),
        dynamicTest("ttlInSeconds=-1 means no expiry", () -> {
          String key = key("ttl-never");
          store().set(setWithTtl(key, "v1", "-1"));
          assertValue(get(key), "v1");
        }),
        dynamicTest("ttlInSeconds='abc' fails with INVALID_ARGUMENT", () -> invalidTtl("abc")),
        dynamicTest("ttlInSeconds='0' fails with INVALID_ARGUMENT", () -> invalidTtl("0")),
        dynamicTest("ttlInSeconds='-5' fails with INVALID_ARGUMENT", () -> invalidTtl("-5")));
  }

  private void invalidTtl(String ttl) {
    String key = key("ttl-invalid");
    assertFailsWith(() -> store().set(setWithTtl(key, "v1", ttl)), Kind.INVALID_ARGUMENT);
    assertThat(get(key)).isEmpty();
  }

  // ---------------------------------------------------------------- non-blocking calls

  @TestFactory
  @DisplayName("non-blocking calls (NonBlockingStateStore) behave like the blocking ones")
  Stream<DynamicTest> nonBlockingCalls() {
    if (!(store() instanceof NonBlockingStateStore)) {
      return Stream.of(); // the runtime calls such stores on handler threads only
    }
    Stream<DynamicTest> common = Stream.of(
        dynamicTest("getAsync of a missing key is empty", () ->
            assertThat(nonBlocking().getAsync(GetRequest.of(key("nb-missing"))).get(10, TimeUnit.SECONDS)).isEmpty()),
        dynamicTest("bulkSetAsync then getAsync returns the values, 1 MiB included", this::nonBlockingRoundTrip),
        dynamicTest("deleteAsync removes the key, and succeeds for a missing one", this::nonBlockingDelete),
        dynamicTest("many calls in flight at once all complete with their own values", this::nonBlockingInFlight));
    if (!supports(StateFeature.ETAG)) {
      return common;
    }
    return Stream.concat(common, Stream.of(
        dynamicTest("bulkSetAsync with a stale etag fails with ETAG_MISMATCH and changes nothing",
            this::nonBlockingStaleEtag),
        dynamicTest("deleteAsync with a stale etag fails with ETAG_MISMATCH and keeps the key",
            this::nonBlockingStaleEtagDelete)));
  }

  private NonBlockingStateStore nonBlocking() {
    return (NonBlockingStateStore) store();
  }

  private void nonBlockingRoundTrip() throws Exception {
    String small = key("nb-small");
    String large = key("nb-large");
    byte[] big = new byte[1024 * 1024];
    new Random(7).nextBytes(big);
    nonBlocking().bulkSetAsync(List.of(SetRequest.of(small, bytes("v1")), SetRequest.of(large, big)))
        .get(10, TimeUnit.SECONDS);
    assertValue(nonBlocking().getAsync(GetRequest.of(small)).get(10, TimeUnit.SECONDS), "v1");
    assertThat(nonBlocking().getAsync(GetRequest.of(large)).get(10, TimeUnit.SECONDS).orElseThrow().data())
        .isEqualTo(big);
    assertValue(get(small), "v1"); // and the blocking read agrees
  }

  private void nonBlockingDelete() throws Exception {
    String key = key("nb-delete");
    set(key, "v1");
    nonBlocking().deleteAsync(DeleteRequest.of(key)).get(10, TimeUnit.SECONDS);
    assertThat(get(key)).isEmpty();
    nonBlocking().deleteAsync(DeleteRequest.of(key)).get(10, TimeUnit.SECONDS);
  }

  private void nonBlockingInFlight() throws Exception {
    int calls = 200;
    List<String> keys = new ArrayList<>(calls);
    List<java.util.concurrent.CompletableFuture<Void>> writes = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      String key = key("nb-inflight");
      keys.add(key);
      writes.add(nonBlocking().bulkSetAsync(List.of(SetRequest.of(key, bytes("value-" + i)))));
    }
    for (var write : writes) {
      write.get(10, TimeUnit.SECONDS);
    }
    List<java.util.concurrent.CompletableFuture<Optional<StateValue>>> reads = new ArrayList<>(calls);
    for (String key : keys) {
      reads.add(nonBlocking().getAsync(GetRequest.of(key)));
    }
    for (int i = 0; i < calls; i++) {
      assertValue(reads.get(i).get(10, TimeUnit.SECONDS), "value-" + i);
    }
  }

  private void nonBlockingStaleEtag() throws Exception {
    String key = key("nb-stale");
    set(key, "v1");
    String stale = etagOf(key);
    set(key, "v2");
    assertFailsWith(() -> joinUnwrapped(nonBlocking().bulkSetAsync(List.of(setWithEtag(key, "v3", stale)))),
        Kind.ETAG_MISMATCH);
    assertValue(get(key), "v2");
  }

  private void nonBlockingStaleEtagDelete() throws Exception {
    String key = key("nb-stale-delete");
    set(key, "v1");
    String stale = etagOf(key);
    set(key, "v2");
    assertFailsWith(() -> joinUnwrapped(nonBlocking().deleteAsync(deleteWithEtag(key, stale))), Kind.ETAG_MISMATCH);
    assertValue(get(key), "v2");
  }

  /**
   * Waits for the future and throws its failure as is: a store may also throw at once for a
   * request it rejects before sending, which reaches the caller the same way.
   */
  private static void joinUnwrapped(java.util.concurrent.CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- helpers

  private Optional<StateValue> get(String key) {
    return store().get(GetRequest.of(key));
  }

  private void set(String key, String value) {
    store().set(SetRequest.of(key, bytes(value)));
  }

  private String etagOf(String key) {
    String etag = get(key).orElseThrow(() -> new AssertionError("expected key " + key + " to exist")).etag();
    assertThat(etag).as("etag of %s", key).isNotBlank();
    return Objects.requireNonNull(etag);
  }

  private static byte[] bytes(String value) {
    return value.getBytes(UTF_8);
  }

  private static StateOptions options(Concurrency concurrency) {
    return new StateOptions(concurrency, Consistency.UNSPECIFIED);
  }

  private static SetRequest setWithEtag(String key, String value, String etag) {
    return new SetRequest(key, bytes(value), etag, Map.of(), StateOptions.DEFAULT);
  }

  private static SetRequest firstWrite(String key, String value, @Nullable String etag) {
    return new SetRequest(key, bytes(value), etag, Map.of(), options(Concurrency.FIRST_WRITE));
  }

  private static SetRequest setWithTtl(String key, String value, String ttlInSeconds) {
    return new SetRequest(key, bytes(value), null, Map.of(StateRequests.TTL_IN_SECONDS, ttlInSeconds),
        StateOptions.DEFAULT);
  }

  private static DeleteRequest deleteWithEtag(String key, String etag) {
    return new DeleteRequest(key, etag, Map.of(), StateOptions.DEFAULT);
  }

  private static TransactionalOperation upsert(String key, String value, @Nullable String etag) {
    return new TransactionalOperation.Upsert(new SetRequest(key, bytes(value), etag, Map.of(), StateOptions.DEFAULT));
  }

  private static TransactionalOperation delete(String key, @Nullable String etag) {
    return new TransactionalOperation.Delete(new DeleteRequest(key, etag, Map.of(), StateOptions.DEFAULT));
  }
}
