package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.sequencer.Sequencer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.concurrent.Callable;

/**
 * What locks and ids do when the ZooKeeper server goes away and comes back
 * ({@code TestingServer.stop()} / {@code restart()}, same data directory and port), and when a
 * sidecar's session ends: a lock lives as long as its lease, whatever happens to the session that
 * took it. Each test has its own in-process server.
 */
class ZookeeperOutageTest {

  private static final Duration LONG = Duration.ofSeconds(120);
  private static final Duration RECOVERY = Duration.ofSeconds(60);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private ZookeeperTestServer server() {
    ZookeeperTestServer server = new ZookeeperTestServer();
    toClose.add(server);
    return server;
  }

  private LockStore lockStore(ZookeeperTestServer server, String sessionTimeout) {
    LockStore store = new ZookeeperLockStoreFactory().create();
    store.init(server.metadata("lock_zk", Map.of("sessionTimeout", sessionTimeout, "connectionTimeout", "1s")));
    toClose.add(store);
    return store;
  }

  private Sequencer sequencer(ZookeeperTestServer server) {
    Sequencer sequencer = new ZookeeperSequencerFactory().create();
    sequencer.init(server.metadata("sequencer_zk", Map.of("sessionTimeout", "30s", "connectionTimeout", "1s")));
    toClose.add(sequencer);
    return sequencer;
  }

  private static void assertUnavailable(Callable<?> call) {
    Throwable thrown = catchThrowable(call::call);
    assertThat(thrown).isInstanceOf(ComponentException.class);
    assertThat(((ComponentException) thrown).kind()).as("kind of '%s'", thrown.getMessage()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(thrown.getMessage()).contains("not reachable");
  }

  /** Polls {@code call} until it answers (the client reconnected) and returns its answer. */
  private static <T> T once(Callable<T> call) {
    List<T> answer = new ArrayList<>();
    await().atMost(RECOVERY).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> answer.add(call.call()));
    return answer.getFirst();
  }

  @Test
  void locksSurviveARestartShorterThanTheSessionTimeout() throws Exception {
    ZookeeperTestServer zk = server();
    LockStore a = lockStore(zk, "30s");
    assertThat(a.tryLock("held", "owner-a", LONG)).isTrue();
    assertThat(a.tryLock("short", "owner-a", Duration.ofSeconds(1))).isTrue();

    zk.server().stop();
    assertUnavailable(() -> a.tryLock("other", "owner-a", LONG));
    assertUnavailable(() -> a.unlock("held", "owner-a"));
    assertThat(a.checkHealth().isUp()).isFalse();
    zk.server().restart();

    LockStore b = lockStore(zk, "30s");
    assertThat(b.tryLock("held", "owner-b", LONG)).as("still held by a after the restart").isFalse();
    assertThat(once(() -> a.unlock("held", "owner-b"))).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    await().atMost(RECOVERY).until(() -> a.checkHealth().isUp());
    // the 1 s lease ran out during the outage, judged by the server's clock
    assertThat(b.tryLock("short", "owner-b", LONG)).isTrue();
    assertThat(a.unlock("short", "owner-a")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(a.keepAlive("held", "owner-a", LONG)).isEqualTo(LockStatus.SUCCESS);
    assertThat(a.unlock("held", "owner-a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(b.tryLock("held", "owner-b", LONG)).isTrue();
  }

  @Test
  void anOutageLongerThanTheSessionTimeoutKeepsLocksUntilTheirLeaseEnds() throws Exception {
    ZookeeperTestServer zk = server();
    LockStore a = lockStore(zk, "4s"); // the server raises it to its minimum of 2 ticks (6 s)
    long firstSession = ((ZookeeperLockStore) a).client().curator().getZookeeperClient().getZooKeeper().getSessionId();
    assertThat(a.tryLock("held", "owner-a", LONG)).isTrue();

    zk.server().stop();
    Thread.sleep(9_000); // longer than the session timeout: Curator gives the session up
    zk.server().restart();
    long restarted = System.nanoTime();

    LockStore b = lockStore(zk, "30s");
    await().atMost(RECOVERY).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
        ((ZookeeperLockStore) a).client().curator().getZookeeperClient().getZooKeeper().getSessionId() != firstSession
            && a.checkHealth().isUp());
    // the server expires the old session one session timeout (plus a tick) after it restarted;
    // an ephemeral node would go with it and hand the lock to b while a's lease still runs
    Thread.sleep(Math.max(0, 10_000 - Duration.ofNanos(System.nanoTime() - restarted).toMillis()));
    assertThat(b.tryLock("held", "owner-b", LONG)).as("a's lease still runs after its session expired").isFalse();
    assertThat(b.unlock("held", "owner-b")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(a.unlock("held", "owner-a")).as("a still owns it, on its new session").isEqualTo(LockStatus.SUCCESS);
    assertThat(b.tryLock("held", "owner-b", LONG)).isTrue();
  }

  @Test
  void closingASidecarsStoreKeepsItsLocksUntilTheirLeaseEnds() {
    ZookeeperTestServer zk = server();
    LockStore a = lockStore(zk, "30s");
    LockStore b = lockStore(zk, "30s");
    assertThat(a.tryLock("held", "owner-a", LONG)).isTrue();
    assertThat(a.tryLock("brief", "owner-a", Duration.ofSeconds(2))).isTrue();
    assertThat(b.tryLock("held", "owner-b", LONG)).isFalse();
    assertThat(b.unlock("held", "owner-b")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);

    a.close();
    assertThat(b.tryLock("held", "owner-b", LONG)).as("the lock outlives the session that took it").isFalse();
    assertThat(b.unlock("held", "owner-a")).as("the owner may unlock through another sidecar")
        .isEqualTo(LockStatus.SUCCESS);
    assertThat(b.tryLock("held", "owner-b", LONG)).isTrue();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> b.tryLock("brief", "owner-b", LONG));
  }

  @Test
  void idsKeepIncreasingAcrossAServerRestart() throws Exception {
    ZookeeperTestServer zk = server();
    Sequencer s = sequencer(zk);
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = s.nextId("orders");
    }
    assertThat(last).isEqualTo(5);
    var range = s.reserve("orders", 100);

    zk.server().stop();
    assertUnavailable(() -> s.nextId("orders"));
    assertUnavailable(() -> s.reserve("orders", 10));
    zk.server().restart();

    long next = once(() -> s.nextId("orders"));
    assertThat(next).as("first id after the restart").isGreaterThan(range.last());
    Sequencer fresh = sequencer(zk);
    assertThat(fresh.nextId("orders")).as("a new sidecar continues above it").isGreaterThan(next);
  }
}
