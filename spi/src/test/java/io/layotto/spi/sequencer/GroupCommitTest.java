package io.layotto.spi.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The group commit's queueing, batching and failure rules, against a counter whose updates the test answers. */
class GroupCommitTest {

  /** A backend whose updates stay pending until the test completes them. */
  private static final class ManualBackend implements GroupCommit.Update {
    final List<String> keys = new ArrayList<>();
    final List<Long> totals = new ArrayList<>();
    final List<CompletableFuture<Long>> pending = new ArrayList<>();
    final Map<String, Long> counters = new ConcurrentHashMap<>();

    @Override
    public synchronized CompletableFuture<Long> advance(String key, long total) {
      keys.add(key);
      totals.add(total);
      CompletableFuture<Long> reply = new CompletableFuture<>();
      pending.add(reply);
      return reply;
    }

    /** Answers update {@code i} as a counter would. */
    void succeed(int i) {
      CompletableFuture<Long> reply;
      String key;
      long total;
      synchronized (this) {
        reply = pending.get(i);
        key = keys.get(i);
        total = totals.get(i);
      }
      reply.complete(counters.merge(key, total, Long::sum));
    }

    void fail(int i, ComponentException e) {
      CompletableFuture<Long> reply;
      synchronized (this) {
        reply = pending.get(i);
      }
      reply.completeExceptionally(e);
    }

    synchronized int updates() {
      return pending.size();
    }
  }

  @Test
  void callsArrivingDuringAnUpdateShareTheNextOneInArrivalOrder() throws Exception {
    ManualBackend backend = new ManualBackend();
    GroupCommit commit = new GroupCommit(backend);

    CompletableFuture<Long> first = commit.take("k", 1);
    CompletableFuture<Long> a = commit.take("k", 1);
    CompletableFuture<Long> b = commit.take("k", 10);
    CompletableFuture<Long> c = commit.take("k", 1);
    assertThat(backend.updates()).as("one update in flight per key").isEqualTo(1);

    backend.succeed(0);
    assertThat(first.get()).isEqualTo(1);
    assertThat(backend.totals).as("the waiting calls' total in one update").containsExactly(1L, 12L);

    backend.succeed(1);
    assertThat(a.get()).isEqualTo(2);
    assertThat(b.get()).as("last id of the range 3..12").isEqualTo(12);
    assertThat(c.get()).isEqualTo(13);
    assertThat(backend.updates()).as("nothing left to update").isEqualTo(2);

    CompletableFuture<Long> later = commit.take("k", 1);
    backend.succeed(2);
    assertThat(later.get()).as("a call after the queue ran empty starts a new update").isEqualTo(14);
  }

  @Test
  void keysAreUpdatedIndependently() throws Exception {
    ManualBackend backend = new ManualBackend();
    GroupCommit commit = new GroupCommit(backend);
    CompletableFuture<Long> x = commit.take("x", 1);
    CompletableFuture<Long> y = commit.take("y", 1);
    assertThat(backend.keys).containsExactly("x", "y");
    backend.succeed(1);
    assertThat(y.get()).isEqualTo(1);
    assertThat(x).isNotDone();
    backend.succeed(0);
    assertThat(x.get()).isEqualTo(1);
  }

  @Test
  void aFailedUpdateFailsItsCallsOnlyAndTheNextBatchGoesOn() throws Exception {
    ManualBackend backend = new ManualBackend();
    GroupCommit commit = new GroupCommit(backend);
    CompletableFuture<Long> first = commit.take("k", 1);
    CompletableFuture<Long> second = commit.take("k", 1);

    backend.fail(0, ComponentException.unavailable("backend down", null));
    Throwable failure = catchThrowable(first::get);
    assertThat(failure.getCause()).isInstanceOf(ComponentException.class).hasMessage("backend down");
    assertThat(second).as("served by the next update").isNotDone();

    backend.succeed(1);
    assertThat(second.get()).isEqualTo(1);
  }

  @Test
  void anUpdateThatThrowsFailsItsCalls() {
    GroupCommit commit = new GroupCommit((key, total) -> {
      throw ComponentException.internal("not initialised", null);
    });
    assertThatThrownBy(() -> commit.take("k", 1).join()).hasCauseInstanceOf(ComponentException.class)
        .hasMessageContaining("not initialised");
    assertThatThrownBy(() -> commit.take("k", 1).join()).as("and the key is not stuck")
        .hasMessageContaining("not initialised");
  }

  @Test
  void aBatchPastInt64IsServedOneCallAtATime() throws Exception {
    long end = Long.MAX_VALUE - 2; // room for two more ids
    List<CompletableFuture<Long>> blocked = new ArrayList<>();
    long[] counter = {end};
    GroupCommit commit = new GroupCommit((key, total) -> {
      if (counter[0] > Long.MAX_VALUE - total) {
        return CompletableFuture.failedFuture(SequencerKeys.exhausted(key, "counter " + counter[0]));
      }
      counter[0] += total;
      if (blocked.isEmpty()) { // hold the first update so that the others queue behind it
        CompletableFuture<Long> reply = new CompletableFuture<>();
        blocked.add(reply);
        return reply;
      }
      return CompletableFuture.completedFuture(counter[0]);
    });
    CompletableFuture<Long> first = commit.take("k", 1);
    List<CompletableFuture<Long>> queued = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queued.add(commit.take("k", 1));
    }
    blocked.getFirst().complete(counter[0]);

    assertThat(first.get()).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(queued.getFirst().get()).as("the one that fits").isEqualTo(Long.MAX_VALUE);
    for (CompletableFuture<Long> past : queued.subList(1, 4)) {
      Throwable failure = catchThrowable(past::get);
      assertThat(((ComponentException) failure.getCause()).kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
    }
  }

  @Test
  void sizeBelowOneIsRejectedBeforeAnyUpdate() {
    GroupCommit commit = new GroupCommit((key, total) -> {
      throw new AssertionError("no update expected");
    });
    assertThatThrownBy(() -> commit.take("k", 0)).isInstanceOf(ComponentException.class)
        .hasMessageContaining("range size is 0");
  }

  /** Many threads on few keys against a backend answering on other threads: no id twice, none lost. */
  @Test
  void concurrentCallersGetEveryIdOnce() throws Exception {
    Map<String, Long> counters = new ConcurrentHashMap<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService backendThreads = Executors.newFixedThreadPool(3);
    Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
    GroupCommit commit = new GroupCommit((key, total) -> CompletableFuture.supplyAsync(() -> {
      if (perKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      inFlight.incrementAndGet();
      long last = counters.merge(key, total, Long::sum);
      perKey.get(key).decrementAndGet();
      return last;
    }, backendThreads));
    int threads = 8;
    int callsPerThread = 2_000;
    String[] keys = {"a", "b", "c"};
    Map<String, Set<Long>> seen = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(CompletableFuture.runAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        List<String> mineKeys = new ArrayList<>();
        for (int i = 0; i < callsPerThread; i++) {
          String key = keys[(thread + i) % keys.length];
          mineKeys.add(key);
          mine.add(commit.take(key, 1 + i % 3));
        }
        for (int i = 0; i < mine.size(); i++) {
          long last = mine.get(i).join();
          Set<Long> ids = seen.computeIfAbsent(mineKeys.get(i), k -> ConcurrentHashMap.newKeySet());
          for (long id = last - i % 3; id <= last; id++) {
            if (!ids.add(id)) {
              throw new AssertionError("id " + id + " of key " + mineKeys.get(i) + " handed out twice");
            }
          }
        }
      }, callers));
    }
    start.countDown();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    callers.shutdown();
    backendThreads.shutdown();

    assertThat(overlaps.get()).as("updates of one key in flight together").isZero();
    long handedOut = 0;
    for (String key : keys) {
      Set<Long> ids = new HashSet<>(seen.get(key));
      assertThat(ids).as("ids of %s without a gap", key).hasSize(counters.get(key).intValue());
      handedOut += ids.size();
    }
    assertThat(handedOut).isEqualTo((long) threads * (callsPerThread / 3 * 6 + (callsPerThread % 3 == 2 ? 3 : 1)));
    assertThat(inFlight.get()).as("updates shared by many calls").isLessThan(threads * callsPerThread);
  }
}
