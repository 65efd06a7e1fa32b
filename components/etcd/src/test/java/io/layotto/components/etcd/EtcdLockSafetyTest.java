package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Lock safety on etcd under faults: 16 clients on 4 store instances (as 4 sidecars) contend for 4
 * resources, each round a read-modify-write of an unsynchronised per-resource counter that detects
 * overlapping holders, while the private etcd is SIGKILLed and restarted on its data dir and later
 * SIGSTOPped for less than the lease and SIGCONTinued. Leases survive both, so no two clients may
 * ever hold one resource. CI runs 25 rounds per client; {@code -Dlayotto.etcd.safety.rounds=500}
 * runs the full size. The same check through a real sidecar, with holders kept inside across the
 * fault, is dist's {@code LockSafetyE2ETest}; this one also covers several stores (sidecars) on one etcd.
 */
class EtcdLockSafetyTest {

  private static final int CLIENTS = 16;
  private static final int RESOURCES = 4;
  private static final int STORES = 4;
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final Duration PAUSE = Duration.ofSeconds(3);

  @Test
  void noOverlapThroughAKillRestartAndAPauseShorterThanTheLease() throws Exception {
    int rounds = Integer.getInteger("layotto.etcd.safety.rounds", 25);
    String run = "safety-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    try (PrivateEtcdServer etcd = new PrivateEtcdServer()) {
      etcd.start();
      List<EtcdLockStore> stores = new ArrayList<>();
      for (int i = 0; i < STORES; i++) {
        EtcdLockStore store = new EtcdLockStore();
        store.init(new Metadata("safety_" + i, Map.of(EtcdSettings.ENDPOINTS, etcd.endpoint(),
            EtcdSettings.REQUEST_TIMEOUT, "2s")));
        stores.add(store);
      }
      AtomicIntegerArray inside = new AtomicIntegerArray(RESOURCES);
      int[] counters = new int[RESOURCES]; // deliberately unsynchronised: only the lock protects them
      AtomicInteger entries = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      AtomicInteger unavailable = new AtomicInteger();
      AtomicLong done = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      CountDownLatch startLatch = new CountDownLatch(1);
      try {
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          EtcdLockStore store = stores.get(c % STORES);
          int client = c;
          clients.add(pool.submit(() -> {
            startLatch.await();
            for (int round = 0; round < rounds; round++) {
              int r = (client + round) % RESOURCES;
              String resource = run + r;
              String owner = UUID.randomUUID().toString();
              long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
              while (!attempt(() -> store.tryLock(resource, owner, LEASE), unavailable)) {
                if (System.nanoTime() > deadline) {
                  throw new AssertionError("client " + client + " got no turn on " + resource + " within 3 min");
                }
                Thread.sleep(2);
              }
              if (inside.incrementAndGet(r) != 1) {
                overlaps.incrementAndGet();
              }
              int seen = counters[r];
              Thread.sleep(1);
              counters[r] = seen + 1;
              entries.incrementAndGet();
              inside.decrementAndGet(r);
              // a failed unlock leaves the lock to expire; the holder has left either way
              attempt(() -> store.unlock(resource, owner) == LockStatus.SUCCESS, unavailable);
              done.incrementAndGet();
            }
            return null;
          }));
        }
        startLatch.countDown();
        long total = (long) CLIENTS * rounds;

        await().atMost(Duration.ofMinutes(2)).until(() -> done.get() >= total / 4);
        etcd.kill();
        Thread.sleep(1_000);
        etcd.start();
        long afterRestart = done.get();
        await("half of the rounds, after the restart").atMost(Duration.ofMinutes(3))
            .until(() -> done.get() >= Math.max(total / 2, afterRestart + 8));
        assertThat(done.get()).as("rounds done when etcd is paused (the pause must come before the end)")
            .isLessThan(total);
        ProcessHandle server = etcdProcess(etcd);
        signal("STOP", server);
        Thread.sleep(PAUSE.toMillis());
        signal("CONT", server);
        for (Future<?> f : clients) {
          f.get(10, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
        stores.forEach(EtcdLockStore::close);
      }
      System.out.printf("etcd lock safety: %d clients x %d rounds on %d resources, %d entries, %d overlaps, "
          + "%d calls refused while etcd was down or paused%n", CLIENTS, rounds, RESOURCES, entries.get(), overlaps.get(),
          unavailable.get());
      assertThat(overlaps.get()).as("rounds in which two clients held one resource").isZero();
      int sum = 0;
      for (int counter : counters) {
        sum += counter;
      }
      assertThat(sum).as("increments made under the locks").isEqualTo(entries.get()).isEqualTo(CLIENTS * rounds);
      assertThat(unavailable.get()).as("calls refused while etcd was down or paused").isPositive();
    }
  }

  private interface Call {
    boolean run();
  }

  /** The call's result; false when etcd did not answer (UNAVAILABLE), which is counted. */
  private static boolean attempt(Call call, AtomicInteger unavailable) {
    try {
      return call.run();
    } catch (ComponentException e) {
      if (e.kind() != Kind.UNAVAILABLE) {
        throw e;
      }
      unavailable.incrementAndGet();
      return false;
    }
  }

  /** The etcd child process of this JVM serving the test's client port. */
  private static ProcessHandle etcdProcess(PrivateEtcdServer etcd) {
    String port = etcd.endpoint().substring(etcd.endpoint().lastIndexOf(':') + 1);
    return ProcessHandle.current().children()
        .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains("127.0.0.1:" + port))
            .orElse(false))
        .findFirst().orElseThrow(() -> new AssertionError("no etcd child process on port " + port));
  }

  private static void signal(String signal, ProcessHandle process) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    assertThat(exit).as("kill -%s %d", signal, process.pid()).isZero();
  }
}
