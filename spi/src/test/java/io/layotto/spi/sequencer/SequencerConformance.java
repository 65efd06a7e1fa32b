package io.layotto.spi.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link Sequencer} must show, run against a real backend. A component's test
 * extends this class and implements {@link #createSequencer(Map)}.
 *
 * <p>One instance serves most tests; tests about restarts, {@code biggerThan} and sharing create
 * more instances on the same backend (closed after the test). Keys start with a random per-run
 * prefix ({@link #runPrefix()}), so concurrent runs on a shared server never meet.
 *
 * <h2>Features</h2>
 * Each {@link SequencerFeature} declared is tested in full; for an undeclared one the kit checks the
 * documented fallback instead, so nothing is skipped:
 * <ul>
 *   <li>{@link SequencerFeature#SEGMENTS}: ranges are disjoint, increasing and above every earlier id;
 *       without it {@link Sequencer#reserve} fails with UNSUPPORTED.</li>
 *   <li>{@link SequencerFeature#PER_KEY_COUNTER}: a fresh key counts 1, 2, 3..., {@code biggerThan N}
 *       starts at N+1, STRONG ids under concurrency have no gaps, and a key at {@code Long.MAX_VALUE}
 *       fails with RESOURCE_EXHAUSTED. Without it: ids are only unique and increasing, and a
 *       {@code biggerThan} near {@code Long.MAX_VALUE} fails at init, naming the key.</li>
 *   <li>{@link SequencerFeature#SHARED_BACKEND}: a new instance continues above the last id and two
 *       instances never return the same id. Without it: instances count on their own.</li>
 * </ul>
 *
 * <h2>Use</h2>
 * Depend on {@code layotto-spi} with {@code <type>test-jar</type>} (test scope). A component that
 * cannot reach its backend must throw from {@code createSequencer}, which fails (never skips) the tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SequencerConformance {

  private static final int CONCURRENT_CALLERS = 32;

  private final String runPrefix = "seqconf-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  private final AtomicInteger keySequence = new AtomicInteger();
  private final Set<String> usedKeys = ConcurrentHashMap.newKeySet();
  private final List<Sequencer> extraInstances = new CopyOnWriteArrayList<>();
  private @Nullable Sequencer sequencer;

  /**
   * A new sequencer, initialised against the backend under test with these {@code biggerThan}
   * settings. Every call must reach the same backend (same server, table, ...). The kit closes it.
   */
  protected abstract Sequencer createSequencer(Map<String, Long> biggerThan);

  /** STRONG calls each of the 32 concurrent callers makes. */
  protected int callsPerConcurrentCaller() {
    return 40;
  }

  /** Removes what this run created on the backend (keys start with {@link #runPrefix()}); default: nothing. */
  protected void deleteCreated(Set<String> keys) {}

  @BeforeAll
  final void openSequencer() {
    sequencer = createSequencer(Map.of());
  }

  @AfterEach
  final void closeExtraInstances() {
    for (Sequencer s : extraInstances) {
      s.close();
    }
    extraInstances.clear();
  }

  @AfterAll
  final void closeSequencer() {
    try {
      deleteCreated(Set.copyOf(usedKeys));
    } finally {
      if (sequencer != null) {
        sequencer.close();
      }
    }
  }

  /** The instance shared by the tests of the class. */
  protected final Sequencer sequencer() {
    return Objects.requireNonNull(sequencer, "sequencer not created yet");
  }

  protected final String runPrefix() {
    return runPrefix;
  }

  /** A key unique to this run and call. */
  protected final String key(String name) {
    String key = runPrefix + name + "-" + keySequence.incrementAndGet();
    usedKeys.add(key);
    return key;
  }

  /** Another instance on the same backend, closed after the test. */
  protected final Sequencer another(Map<String, Long> biggerThan) {
    Sequencer s = createSequencer(biggerThan);
    extraInstances.add(s);
    return s;
  }

  private boolean has(SequencerFeature feature) {
    return sequencer().features().contains(feature);
  }

  /** nextIdAsync (NonBlockingSequencer): many calls in flight at once, mixed with blocking calls. */
  @Test
  void nonBlockingIdsAreUniqueAndFollowTheBlockingOnes() throws Exception {
    if (!(sequencer() instanceof NonBlockingSequencer nonBlocking)) {
      return; // the runtime calls such sequencers on handler threads only
    }
    String key = key("non-blocking");
    long before = sequencer().nextId(key);
    List<java.util.concurrent.CompletableFuture<Long>> inFlight = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      inFlight.add(nonBlocking.nextIdAsync(key));
    }
    Set<Long> ids = new HashSet<>();
    long previousInOrder = before;
    for (var future : inFlight) {
      long id = future.get(30, TimeUnit.SECONDS);
      assertThat(id).as("an async id after the blocking one").isGreaterThan(before);
      assertThat(ids.add(id)).as("id %d handed out twice", id).isTrue();
      previousInOrder = Math.max(previousInOrder, id);
    }
    assertThat(sequencer().nextId(key)).as("the next blocking id").isGreaterThan(previousInOrder);
    assertThat(catchThrowable(() -> nonBlocking.nextIdAsync("").get(10, TimeUnit.SECONDS)))
        .as("an empty key").isNotNull();
  }

  /**
   * Calls in flight together near int64's end (a component may serve them with one backend update):
   * those that fit get the last ids, each one once, the others fail as used up.
   */
  @Test
  void nonBlockingCallsPastTheEndGetTheIdsThatFitAndFailTheRest() throws Exception {
    if (!(sequencer() instanceof NonBlockingSequencer) || !has(SequencerFeature.PER_KEY_COUNTER)) {
      return; // only counters end at int64's end; others refuse such a biggerThan (int64OverflowFailsClearly)
    }
    String key = key("non-blocking-overflow");
    NonBlockingSequencer s = (NonBlockingSequencer) another(Map.of(key, Long.MAX_VALUE - 3));
    List<java.util.concurrent.CompletableFuture<Long>> inFlight = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      try {
        inFlight.add(s.nextIdAsync(key));
      } catch (ComponentException e) { // the contract allows it when nothing was sent
        inFlight.add(java.util.concurrent.CompletableFuture.failedFuture(e));
      }
    }
    List<Long> ids = new ArrayList<>();
    int usedUp = 0;
    for (var future : inFlight) {
      Throwable failure = catchThrowable(() -> ids.add(future.get(30, TimeUnit.SECONDS)));
      if (failure != null) {
        Throwable cause = failure.getCause();
        assertThat(cause).as("failure of a call past the end").isInstanceOf(ComponentException.class);
        assertThat(((ComponentException) cause).kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
        assertThat(cause.getMessage()).contains(key);
        usedUp++;
      }
    }
    assertThat(ids).as("the ids that fit").containsExactlyInAnyOrder(Long.MAX_VALUE - 2, Long.MAX_VALUE - 1,
        Long.MAX_VALUE);
    assertThat(usedUp).isEqualTo(7);
  }

  @Test
  void idsArePositiveAndStrictlyIncreasing() {
    String key = key("basic");
    long a = sequencer().nextId(key);
    long b = sequencer().nextId(key);
    long c = sequencer().nextId(key);

    assertThat(a).isPositive();
    assertThat(b).isGreaterThan(a);
    assertThat(c).isGreaterThan(b);
    if (has(SequencerFeature.PER_KEY_COUNTER)) {
      assertThat(List.of(a, b, c)).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void strongIdsStrictlyIncreaseUnderThirtyTwoConcurrentCallers() throws Exception {
    String key = key("concurrent");
    int calls = callsPerConcurrentCaller();
    List<List<Long>> perCaller = runConcurrently(CONCURRENT_CALLERS, caller -> {
      List<Long> ids = new ArrayList<>(calls);
      for (int i = 0; i < calls; i++) {
        ids.add(sequencer().nextId(key));
      }
      return ids;
    });
    Set<Long> all = new HashSet<>();
    for (List<Long> ids : perCaller) {
      assertThat(ids).as("ids one caller got in turn").isSorted().doesNotHaveDuplicates();
      all.addAll(ids);
    }
    assertThat(all).as("no id handed out twice").hasSize(CONCURRENT_CALLERS * calls);
    long max = all.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(sequencer().nextId(key)).as("an id asked for after all calls returned").isGreaterThan(max);
    if (has(SequencerFeature.PER_KEY_COUNTER)) {
      assertThat(max).as("counter ids have no gaps").isEqualTo((long) CONCURRENT_CALLERS * calls);
    }
  }

  @Test
  void rangesAreDisjointAndAboveEveryEarlierId() {
    String key = key("ranges");
    if (!has(SequencerFeature.SEGMENTS)) {
      assertFails(() -> sequencer().reserve(key, 10), Kind.UNSUPPORTED);
      return;
    }
    long before = sequencer().nextId(key);
    IdRange first = sequencer().reserve(key, 10);
    IdRange second = sequencer().reserve(key, 5);
    long after = sequencer().nextId(key);

    assertThat(first.size()).isEqualTo(10);
    assertThat(second.size()).isEqualTo(5);
    assertThat(first.first()).isGreaterThan(before);
    assertThat(second.first()).isGreaterThan(first.last());
    assertThat(after).isGreaterThan(second.last());
    assertThat(sequencer().reserve(key, 1).first()).isGreaterThan(after);
  }

  @Test
  void weakCallersServedFromRangesGetUniqueIncreasingIds() throws Exception {
    String key = key("weak");
    boolean segments = has(SequencerFeature.SEGMENTS);
    List<List<Long>> perCaller = runConcurrently(8, caller -> {
      List<Long> ids = new ArrayList<>();
      for (int round = 0; round < 10; round++) {
        if (segments) {
          IdRange range = sequencer().reserve(key, 7);
          for (long id = range.first(); id <= range.last(); id++) {
            ids.add(id);
          }
        }
        ids.add(sequencer().nextId(key));
      }
      return ids;
    });
    Set<Long> all = new HashSet<>();
    for (List<Long> ids : perCaller) {
      assertThat(ids).as("ids one caller got in turn").isSorted().doesNotHaveDuplicates();
      all.addAll(ids);
    }
    assertThat(all).hasSize(perCaller.stream().mapToInt(List::size).sum());
  }

  @Test
  void keysAreIndependent() {
    String a = key("a");
    String b = key("b");
    List<Long> idsOfA = new ArrayList<>();
    List<Long> idsOfB = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      idsOfA.add(sequencer().nextId(a));
      idsOfB.add(sequencer().nextId(b));
    }
    assertThat(idsOfA).isSorted().doesNotHaveDuplicates();
    assertThat(idsOfB).isSorted().doesNotHaveDuplicates();
    if (has(SequencerFeature.PER_KEY_COUNTER)) {
      assertThat(idsOfA).containsExactly(1L, 2L, 3L);
      assertThat(idsOfB).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  void biggerThanIsHonoured() {
    String key = key("bigger");
    String rangeKey = key("bigger-range");
    String other = key("not-configured");
    Sequencer s = another(Map.of(key, 1_000_000L, rangeKey, 5_000L));

    long id = s.nextId(key);
    assertThat(id).isGreaterThan(1_000_000L);
    assertThat(s.nextId(key)).isGreaterThan(id);
    if (has(SequencerFeature.SEGMENTS)) {
      assertThat(s.reserve(rangeKey, 3).first()).isGreaterThan(5_000L);
    } else {
      assertThat(s.nextId(rangeKey)).isGreaterThan(5_000L);
    }
    if (has(SequencerFeature.PER_KEY_COUNTER)) {
      assertThat(id).isEqualTo(1_000_001L);
      assertThat(s.nextId(other)).as("a key without biggerThan").isEqualTo(1L);
    }
  }

  @Test
  void biggerThanBelowTheLastIdDoesNotGoBack() {
    String key = key("bigger-again");
    Sequencer first = another(Map.of(key, 10L));
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = first.nextId(key);
    }
    if (!has(SequencerFeature.SHARED_BACKEND)) {
      assertThat(last).isGreaterThan(10L);
      return;
    }
    Sequencer second = another(Map.of(key, 10L));
    assertThat(second.nextId(key)).isGreaterThan(last);
  }

  @Test
  void int64OverflowFailsClearly() {
    String key = key("overflow");
    String rangeKey = key("overflow-range");
    Map<String, Long> nearTheEnd = Map.of(key, Long.MAX_VALUE - 2, rangeKey, Long.MAX_VALUE - 5);
    if (!has(SequencerFeature.PER_KEY_COUNTER)) {
      ComponentException e = assertFails(() -> another(nearTheEnd), Kind.INVALID_ARGUMENT, Kind.RESOURCE_EXHAUSTED);
      assertThat(e.getMessage()).containsAnyOf(key, rangeKey);
      return;
    }
    Sequencer s = another(nearTheEnd);
    assertThat(s.nextId(key)).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(s.nextId(key)).isEqualTo(Long.MAX_VALUE);
    ComponentException e = assertFails(() -> s.nextId(key), Kind.RESOURCE_EXHAUSTED);
    assertThat(e.getMessage()).contains(key);
    assertFails(() -> s.nextId(key), Kind.RESOURCE_EXHAUSTED);
    if (has(SequencerFeature.SEGMENTS)) {
      ComponentException r = assertFails(() -> s.reserve(rangeKey, 10), Kind.RESOURCE_EXHAUSTED);
      assertThat(r.getMessage()).contains(rangeKey);
      assertThat(s.nextId(rangeKey)).as("a failed reservation takes nothing").isEqualTo(Long.MAX_VALUE - 4);
    }
  }

  @Test
  void aNewInstanceContinuesAboveTheLastId() {
    String key = key("restart");
    Sequencer before = another(Map.of());
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = before.nextId(key);
    }
    before.close();
    extraInstances.remove(before);

    Sequencer after = another(Map.of());
    long next = after.nextId(key);
    if (has(SequencerFeature.SHARED_BACKEND)) {
      assertThat(next).isGreaterThan(last);
      if (has(SequencerFeature.SEGMENTS)) {
        assertThat(after.reserve(key, 4).first()).isGreaterThan(next);
      }
    } else if (has(SequencerFeature.PER_KEY_COUNTER)) {
      assertThat(next).as("an instance without shared backend starts over").isEqualTo(1L);
    } else {
      assertThat(next).isPositive();
    }
  }

  @Test
  void twoInstancesOnOneBackendNeverReturnTheSameId() throws Exception {
    String key = key("shared");
    Sequencer a = another(Map.of());
    Sequencer b = another(Map.of());
    if (!has(SequencerFeature.SHARED_BACKEND)) {
      // each instance counts on its own: the same key means separate sequences
      long fromA = a.nextId(key);
      long fromB = b.nextId(key);
      assertThat(fromA).isPositive();
      assertThat(fromB).isPositive();
      if (has(SequencerFeature.PER_KEY_COUNTER)) {
        assertThat(fromA).isEqualTo(fromB).isEqualTo(1L);
      }
      return;
    }
    boolean segments = has(SequencerFeature.SEGMENTS);
    List<List<Long>> perCaller = runConcurrently(16, caller -> {
      Sequencer s = caller % 2 == 0 ? a : b;
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        if (segments && i % 4 == 0) {
          IdRange range = s.reserve(key, 5);
          for (long id = range.first(); id <= range.last(); id++) {
            ids.add(id);
          }
        } else {
          ids.add(s.nextId(key));
        }
      }
      return ids;
    });
    List<Long> all = perCaller.stream().flatMap(List::stream).toList();
    assertThat(all).as("ids from both instances").doesNotHaveDuplicates();
    for (List<Long> ids : perCaller) {
      assertThat(ids).isSorted();
    }
  }

  @Test
  void emptyKeyIsInvalid() {
    assertFails(() -> sequencer().nextId(""), Kind.INVALID_ARGUMENT);
    if (has(SequencerFeature.SEGMENTS)) {
      assertFails(() -> sequencer().reserve("", 3), Kind.INVALID_ARGUMENT);
    }
  }

  @Test
  void rangeSizeBelowOneIsInvalid() {
    String key = key("size");
    Kind expected = has(SequencerFeature.SEGMENTS) ? Kind.INVALID_ARGUMENT : Kind.UNSUPPORTED;
    assertFails(() -> sequencer().reserve(key, 0), expected);
    assertFails(() -> sequencer().reserve(key, -5), expected);
  }

  /** The call fails with a ComponentException of one of the kinds and a non-blank message. */
  protected static ComponentException assertFails(ThrowingCallable call, Kind... kinds) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("failure").isInstanceOf(ComponentException.class);
    ComponentException e = (ComponentException) thrown;
    assertThat(e.kind()).as("kind of '%s'", e.getMessage()).isIn((Object[]) kinds);
    assertThat(e.getMessage()).isNotBlank();
    return e;
  }

  /** A caller's work: ids in the order it got them. */
  protected interface Caller {
    List<Long> run(int caller) throws Exception;
  }

  /** Runs the callers on their own threads, all released at once; fails if one fails or hangs. */
  protected static List<List<Long>> runConcurrently(int callers, Caller work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        int caller = i;
        futures.add(pool.submit(() -> {
          start.await();
          return work.run(caller);
        }));
      }
      start.countDown();
      List<List<Long>> results = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        results.add(f.get(120, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
