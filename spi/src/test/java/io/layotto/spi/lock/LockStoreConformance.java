package io.layotto.spi.lock;

import static io.layotto.spi.state.ConformanceAssertions.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviour every {@link LockStore} must show, run against a real backend. A component's test
 * extends this class and implements {@link #createStore()}.
 *
 * <p>One store per test class, closed after the last test. Resource ids start with a random
 * per-run prefix ({@link #runPrefix()}), so runs against a shared server never collide. Time-based
 * checks use one- and two-second leases and wait generously (Awaitility) for expiry, so a loaded
 * machine slows the kit down rather than failing it; "still held" checks are made well inside the
 * lease.
 *
 * <p>{@link LockFeature#KEEP_ALIVE} is tested in full when declared; otherwise the kit asserts that
 * {@link LockStore#keepAlive} fails with {@link Kind#UNSUPPORTED}. A store that cannot reach its
 * backend must throw from {@code createStore()}, which fails (never skips) every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LockStoreConformance {

  /** Upper bound for a lease of one or two seconds to become free again. */
  private static final Duration EXPIRY_BOUND = Duration.ofSeconds(10);
  private static final Duration LONG = Duration.ofSeconds(60);

  private final String runPrefix = "lock-conformance-" + UUID.randomUUID().toString().substring(0, 13) + "-";
  private final AtomicInteger sequence = new AtomicInteger();
  private @Nullable LockStore store;

  /** A new store, already initialised against the backend under test. The kit closes it. */
  protected abstract LockStore createStore();

  /** Lock/unlock rounds per contender in the mutual exclusion test (8 contenders). */
  protected int mutualExclusionRounds() {
    return 25;
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
  protected final LockStore store() {
    return Objects.requireNonNull(store, "store not created yet");
  }

  /** The random prefix of every resource id this run uses. */
  protected final String runPrefix() {
    return runPrefix;
  }

  /** A resource id unique to this run and call. */
  protected final String resource(String name) {
    return runPrefix + name + "-" + sequence.incrementAndGet();
  }

  private static String owner() {
    return UUID.randomUUID().toString();
  }

  private boolean keepAliveSupported() {
    return store().features().contains(LockFeature.KEEP_ALIVE);
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
    LockStore another = createStore();
    another.close();
    another.close();
  }

  // ---------------------------------------------------------------- exclusion

  @Test
  @DisplayName("a free lock is taken; while held, nobody else takes it")
  void mutualExclusion() {
    String r = resource("exclusive");
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).isTrue();
    assertThat(store().tryLock(r, owner(), LONG)).as("second owner").isFalse();
    assertThat(store().tryLock(r, owner(), Duration.ofSeconds(1))).as("third owner").isFalse();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("locks are not re-entrant: the holder cannot take its lock again")
  void notReentrant() {
    String r = resource("reentrant");
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).isTrue();
    assertThat(store().tryLock(r, a, LONG)).isFalse();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("different resources are locked independently")
  void resourcesAreIndependent() {
    String r1 = resource("one");
    String r2 = resource("two");
    String a = owner();
    String b = owner();
    assertThat(store().tryLock(r1, a, LONG)).isTrue();
    assertThat(store().tryLock(r2, b, LONG)).isTrue();
    assertThat(store().unlock(r1, a)).isEqualTo(LockStatus.SUCCESS);
    assertThat(store().unlock(r2, b)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("resource ids with spaces, unicode, separators and 1000 characters work")
  void unusualResourceIds() {
    for (String name : List.of("with space", "ünïcødé-锁-🔒", "lock|||app||x", "/a/b:c", "x".repeat(1000))) {
      String r = runPrefix + name;
      String a = owner();
      assertThat(store().tryLock(r, a, LONG)).as("tryLock of '%s'", name).isTrue();
      assertThat(store().tryLock(r, owner(), LONG)).as("second tryLock of '%s'", name).isFalse();
      assertThat(store().unlock(r, a)).as("unlock of '%s'", name).isEqualTo(LockStatus.SUCCESS);
    }
  }

  @Test
  @DisplayName("contending owners never hold one lock at the same time")
  void contendersNeverOverlap() throws Exception {
    String r = resource("contended");
    int contenders = 8;
    int rounds = mutualExclusionRounds();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] counter = {0}; // deliberately unsynchronised: only the lock protects it
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < contenders; c++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < rounds; i++) {
            String me = owner();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!store().tryLock(r, me, Duration.ofSeconds(30))) {
              if (System.nanoTime() > deadline) {
                throw new AssertionError("no turn within 120 s");
              }
              Thread.onSpinWait();
              Thread.sleep(1);
            }
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            int seen = counter[0];
            Thread.yield();
            counter[0] = seen + 1;
            inside.decrementAndGet();
            if (store().unlock(r, me) != LockStatus.SUCCESS) {
              throw new AssertionError("the holder could not unlock");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(300, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(overlaps.get()).as("rounds in which two owners held the lock").isZero();
    assertThat(counter[0]).as("increments made under the lock").isEqualTo(contenders * rounds);
  }

  // ---------------------------------------------------------------- unlock

  @Test
  @DisplayName("the owner's unlock frees the lock for others")
  void unlockFrees() {
    String r = resource("unlock");
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).isTrue();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
    String b = owner();
    assertThat(store().tryLock(r, b, LONG)).isTrue();
    assertThat(store().unlock(r, b)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("unlock by another owner is LOCK_BELONG_TO_OTHERS and leaves the lock held")
  void unlockByOtherOwner() {
    String r = resource("others");
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).isTrue();
    assertThat(store().unlock(r, owner())).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(store().tryLock(r, owner(), LONG)).as("still held by the first owner").isFalse();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("unlock of a lock never taken, or released already, is LOCK_UNEXIST")
  void unlockUnknown() {
    String r = resource("unknown");
    assertThat(store().unlock(r, owner())).isEqualTo(LockStatus.LOCK_UNEXIST);
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).isTrue();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
    assertThat(store().unlock(r, a)).as("second unlock").isEqualTo(LockStatus.LOCK_UNEXIST);
  }

  // ---------------------------------------------------------------- expiry

  @Test
  @DisplayName("an expired lock is free: another owner takes it and the old owner's unlock is LOCK_UNEXIST")
  void expiryFreesTheLock() {
    String r = resource("ttl");
    String a = owner();
    assertThat(store().tryLock(r, a, Duration.ofSeconds(1))).isTrue();
    String b = owner();
    await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(100))
        .until(() -> store().tryLock(r, b, LONG));
    assertThat(store().unlock(r, a)).as("unlock by the expired owner").isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(store().unlock(r, b)).isEqualTo(LockStatus.SUCCESS);

    String c = resource("ttl-alone");
    assertThat(store().tryLock(c, a, Duration.ofSeconds(1))).isTrue();
    await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(200))
        .until(() -> store().unlock(c, owner()) == LockStatus.LOCK_UNEXIST);
    assertThat(store().unlock(c, a)).as("unlock after expiry").isEqualTo(LockStatus.LOCK_UNEXIST);
  }

  @Test
  @DisplayName("the owner's unlock after its lease ran out, with nobody touching the lock meanwhile, is LOCK_UNEXIST")
  void unlockAfterTheLeaseRanOut() throws InterruptedException {
    String r = resource("ttl-own");
    String a = owner();
    assertThat(store().tryLock(r, a, Duration.ofSeconds(1))).isTrue();
    Thread.sleep(2_500); // the lease's end, whatever the store's clock granularity
    assertThat(store().unlock(r, a)).as("unlock after the lease ran out").isEqualTo(LockStatus.LOCK_UNEXIST);
    String b = owner();
    assertThat(store().tryLock(r, b, LONG)).as("free for another owner").isTrue();
    assertThat(store().unlock(r, b)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("a lock is held for its whole lease, not released early")
  void heldDuringTheLease() throws InterruptedException {
    String r = resource("lease");
    String a = owner();
    assertThat(store().tryLock(r, a, Duration.ofSeconds(20))).isTrue();
    Thread.sleep(1_500);
    assertThat(store().tryLock(r, owner(), LONG)).as("1.5 s into a 20 s lease").isFalse();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  // ---------------------------------------------------------------- keep-alive

  @Test
  @DisplayName("keep-alive by the owner extends the lease")
  void keepAliveExtends() throws InterruptedException {
    String r = resource("keepalive");
    String a = owner();
    if (!keepAliveSupported()) {
      assertFailsWith(() -> store().keepAlive(r, a, LONG), Kind.UNSUPPORTED);
      return;
    }
    assertThat(store().tryLock(r, a, Duration.ofSeconds(2))).isTrue();
    assertThat(store().keepAlive(r, a, Duration.ofSeconds(30))).isEqualTo(LockStatus.SUCCESS);
    Thread.sleep(3_000);
    assertThat(store().tryLock(r, owner(), LONG)).as("3 s after a 2 s lease was extended to 30 s").isFalse();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("keep-alive by another owner is LOCK_BELONG_TO_OTHERS and does not extend the lease")
  void keepAliveByOtherOwner() {
    String r = resource("keepalive-other");
    String a = owner();
    if (!keepAliveSupported()) {
      assertFailsWith(() -> store().keepAlive(r, a, LONG), Kind.UNSUPPORTED);
      return;
    }
    assertThat(store().tryLock(r, a, Duration.ofSeconds(1))).isTrue();
    assertThat(store().keepAlive(r, owner(), LONG)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    String b = owner();
    await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(100))
        .until(() -> store().tryLock(r, b, LONG));
    assertThat(store().unlock(r, b)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("keep-alive of a missing or expired lock is LOCK_UNEXIST and does not create it")
  void keepAliveOfMissingLock() {
    String r = resource("keepalive-missing");
    String a = owner();
    if (!keepAliveSupported()) {
      assertFailsWith(() -> store().keepAlive(r, a, LONG), Kind.UNSUPPORTED);
      return;
    }
    assertThat(store().keepAlive(r, a, LONG)).isEqualTo(LockStatus.LOCK_UNEXIST);
    assertThat(store().tryLock(r, owner(), LONG)).as("keep-alive must not create the lock").isTrue();

    String e = resource("keepalive-expired");
    assertThat(store().tryLock(e, a, Duration.ofSeconds(1))).isTrue();
    // probe with another owner's unlock, which changes nothing (a keep-alive would extend the lease)
    await().atMost(EXPIRY_BOUND).pollInterval(Duration.ofMillis(200))
        .until(() -> store().unlock(e, owner()) == LockStatus.LOCK_UNEXIST);
    assertThat(store().keepAlive(e, a, LONG)).as("keep-alive after expiry").isEqualTo(LockStatus.LOCK_UNEXIST);
    assertThat(store().tryLock(e, owner(), LONG)).as("keep-alive after expiry must not revive the lock").isTrue();
  }

  // ---------------------------------------------------------------- bad input

  @Test
  @DisplayName("a zero or negative expiry is INVALID_ARGUMENT and takes nothing")
  void nonPositiveExpiry() {
    String r = resource("bad-ttl");
    assertFailsWith(() -> store().tryLock(r, owner(), Duration.ZERO), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store().tryLock(r, owner(), Duration.ofSeconds(-1)), Kind.INVALID_ARGUMENT);
    if (keepAliveSupported()) {
      assertFailsWith(() -> store().keepAlive(r, owner(), Duration.ZERO), Kind.INVALID_ARGUMENT);
    }
    String a = owner();
    assertThat(store().tryLock(r, a, LONG)).as("the rejected calls took nothing").isTrue();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("an expiry beyond the maximum is INVALID_ARGUMENT")
  void hugeExpiry() {
    String r = resource("huge-ttl");
    assertFailsWith(() -> store().tryLock(r, owner(), LockRequests.MAX_TTL.plusSeconds(1)), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store().tryLock(r, owner(), Duration.ofSeconds(Integer.MAX_VALUE)), Kind.INVALID_ARGUMENT);
    String a = owner();
    assertThat(store().tryLock(r, a, LockRequests.MAX_TTL)).as("the maximum itself is fine").isTrue();
    assertThat(store().unlock(r, a)).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  @DisplayName("an empty resource id or owner is INVALID_ARGUMENT")
  void emptyArguments() {
    String r = resource("empty");
    assertFailsWith(() -> store().tryLock("", owner(), LONG), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store().tryLock(r, "", LONG), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store().unlock("", owner()), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store().unlock(r, ""), Kind.INVALID_ARGUMENT);
  }

  // ---------------------------------------------------------------- non-blocking calls

  @Test
  @DisplayName("non-blocking tryLockAsync/unlockAsync (NonBlockingLockStore) follow the same rules")
  void nonBlockingCalls() throws Exception {
    if (!(store() instanceof NonBlockingLockStore nonBlocking)) {
      return; // the runtime calls such stores on handler threads only
    }
    String r = resource("non-blocking");
    String a = owner();
    String b = owner();
    assertThat(nonBlocking.tryLockAsync(r, a, LONG).get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(nonBlocking.tryLockAsync(r, b, LONG).get(10, TimeUnit.SECONDS)).as("second owner").isFalse();
    assertThat(store().tryLock(r, b, LONG)).as("the blocking call agrees").isFalse();
    assertThat(nonBlocking.unlockAsync(r, b).get(10, TimeUnit.SECONDS)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(nonBlocking.unlockAsync(r, a).get(10, TimeUnit.SECONDS)).isEqualTo(LockStatus.SUCCESS);
    assertThat(nonBlocking.unlockAsync(r, a).get(10, TimeUnit.SECONDS)).isEqualTo(LockStatus.LOCK_UNEXIST);
    assertThat(nonBlocking.tryLockAsync(r, b, LONG).get(10, TimeUnit.SECONDS)).as("free again").isTrue();
    assertThat(store().unlock(r, b)).isEqualTo(LockStatus.SUCCESS);
    assertFailsWith(() -> { // rejected at once or through the future: both reach the caller
      try {
        nonBlocking.tryLockAsync(r, a, Duration.ZERO).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause();
      }
    }, Kind.INVALID_ARGUMENT);
  }

  @Test
  @DisplayName("many tryLockAsync calls in flight on one resource: exactly one wins")
  void nonBlockingContenders() throws Exception {
    if (!(store() instanceof NonBlockingLockStore nonBlocking)) {
      return;
    }
    String r = resource("non-blocking-race");
    List<java.util.concurrent.CompletableFuture<Boolean>> attempts = new ArrayList<>();
    List<String> owners = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      String o = owner();
      owners.add(o);
      attempts.add(nonBlocking.tryLockAsync(r, o, LONG));
    }
    int winner = -1;
    for (int i = 0; i < attempts.size(); i++) {
      if (attempts.get(i).get(10, TimeUnit.SECONDS)) {
        assertThat(winner).as("a second winner, attempt %d", i).isEqualTo(-1);
        winner = i;
      }
    }
    assertThat(winner).as("nobody took the free lock").isNotEqualTo(-1);
    assertThat(store().unlock(r, owners.get(winner))).isEqualTo(LockStatus.SUCCESS);
  }
}
