package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.sequencer.IdRange;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A private etcd SIGKILLed and restarted on the same data dir under a lock store and a sequencer:
 * calls during the outage fail as UNAVAILABLE, locks held before are still held (their leases
 * survive) and free after their time-to-live, and the sequencer continues above its last id.
 */
class EtcdRestartTest {

  private static final Duration RECOVERY = Duration.ofSeconds(60);

  private PrivateEtcdServer server;
  private @Nullable EtcdLockStore locks;
  private @Nullable EtcdSequencer sequencer;

  @BeforeEach
  void start() throws Exception {
    server = new PrivateEtcdServer();
    server.start();
  }

  @AfterEach
  void stop() {
    if (locks != null) {
      locks.close();
    }
    if (sequencer != null) {
      sequencer.close();
    }
    server.close();
  }

  private Metadata metadata() {
    return new Metadata("restart_test", Map.of(EtcdSettings.ENDPOINTS, server.endpoint(),
        EtcdSettings.REQUEST_TIMEOUT, "2s"));
  }

  /** The call's result once etcd answers again (the client reconnects by itself). */
  private static <T> T afterRecovery(String what, Callable<T> call) {
    Object[] result = new Object[1];
    await(what).atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e instanceof ComponentException c && c.kind() == Kind.UNAVAILABLE)
        .until(() -> {
          result[0] = call.call();
          return true;
        });
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }

  @Test
  void locksSurviveAKillAndRestartAndShortOnesExpire() throws Exception {
    EtcdLockStore store = new EtcdLockStore();
    store.init(metadata());
    locks = store;
    assertThat(store.tryLock("long", "owner-a", Duration.ofSeconds(120))).isTrue();
    assertThat(store.tryLock("short", "owner-b", Duration.ofSeconds(3))).isTrue();

    server.kill();
    Throwable down = catchThrowable(() -> store.tryLock("other", "owner-c", Duration.ofSeconds(10)));
    assertThat(down).isInstanceOfSatisfying(ComponentException.class, e -> {
      assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(e.getMessage()).contains(server.endpoint());
    });
    assertThat(store.checkHealth().isUp()).isFalse();
    server.start();

    assertThat(afterRecovery("tryLock of the held lock after the restart",
        () -> store.tryLock("long", "owner-c", Duration.ofSeconds(10)))).as("still held by owner-a").isFalse();
    assertThat(store.unlock("long", "owner-c")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    await("the 3 s lock to expire after the restart").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> store.tryLock("short", "owner-c", Duration.ofSeconds(30)));
    assertThat(store.unlock("short", "owner-b")).as("the expired owner's unlock").isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(store.keepAlive("long", "owner-a", Duration.ofSeconds(60))).isEqualTo(LockStatus.SUCCESS);
    assertThat(store.unlock("long", "owner-a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(store.checkHealth().isUp()).isTrue();
  }

  @Test
  void theSequencerContinuesAboveItsLastIdAfterAKillAndRestart() throws Exception {
    EtcdSequencer s = new EtcdSequencer();
    s.init(metadata(), Map.of());
    sequencer = s;
    long last = 0;
    for (int i = 0; i < 5; i++) {
      last = s.nextId("orders");
    }
    IdRange range = s.reserve("orders", 100);
    assertThat(range.first()).isGreaterThan(last);

    server.kill();
    Throwable down = catchThrowable(() -> s.nextId("orders"));
    assertThat(down).isInstanceOfSatisfying(ComponentException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
    server.start();

    long after = afterRecovery("nextId after the restart", () -> s.nextId("orders"));
    assertThat(after).isGreaterThan(range.last());
    assertThat(s.nextId("orders")).isGreaterThan(after);

    EtcdSequencer fresh = new EtcdSequencer();
    fresh.init(metadata(), Map.of());
    try {
      assertThat(fresh.nextId("orders")).as("a new instance after the restart").isGreaterThan(after + 1);
    } finally {
      fresh.close();
    }
  }

  @Test
  void unreachableEtcdFailsInitAsUnavailableNamingTheEndpoint() throws Exception {
    server.kill();
    for (Callable<?> init : java.util.List.<Callable<?>>of(
        () -> { new EtcdLockStore().init(metadata()); return null; },
        () -> { new EtcdSequencer().init(metadata(), Map.of()); return null; })) {
      Throwable thrown = catchThrowable(init::call);
      assertThat(thrown).isInstanceOfSatisfying(ComponentException.class, e -> {
        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains(server.endpoint());
      });
    }
  }
}
