package io.layotto.components.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Expiry against a controlled clock: exact boundaries without sleeping. */
class InMemoryLockStoreTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final InMemoryLockStore store = new InMemoryLockStore(now::get);

  @Test
  void expiresExactlyAtTheEndOfTheLease() {
    store.init(new Metadata("lock_test", Map.of()));
    try {
      assertThat(store.tryLock("r", "a", Duration.ofMillis(1500))).isTrue();
      now.addAndGet(Duration.ofMillis(1499).toNanos());
      assertThat(store.tryLock("r", "b", Duration.ofSeconds(1))).isFalse();
      now.addAndGet(Duration.ofMillis(1).toNanos());
      assertThat(store.unlock("r", "a")).isEqualTo(LockStatus.LOCK_UNEXIST);
      assertThat(store.tryLock("r", "b", Duration.ofSeconds(1))).isTrue();
    } finally {
      store.close();
    }
  }

  @Test
  void keepAliveRestartsTheLeaseFromNow() {
    store.init(new Metadata("lock_test", Map.of()));
    try {
      assertThat(store.tryLock("r", "a", Duration.ofSeconds(1))).isTrue();
      now.addAndGet(Duration.ofMillis(900).toNanos());
      assertThat(store.keepAlive("r", "a", Duration.ofSeconds(1))).isEqualTo(LockStatus.SUCCESS);
      now.addAndGet(Duration.ofMillis(900).toNanos());
      assertThat(store.tryLock("r", "b", Duration.ofSeconds(1))).isFalse();
      now.addAndGet(Duration.ofMillis(100).toNanos());
      assertThat(store.tryLock("r", "b", Duration.ofSeconds(1))).isTrue();
    } finally {
      store.close();
    }
  }

  @Test
  void releasedAndExpiredEntriesDoNotAccumulate() {
    store.init(new Metadata("lock_test", Map.of()));
    try {
      assertThat(store.tryLock("r", "a", Duration.ofSeconds(1))).isTrue();
      assertThat(store.unlock("r", "a")).isEqualTo(LockStatus.SUCCESS);
      assertThat(store.size()).isZero();
      assertThat(store.tryLock("s", "a", Duration.ofSeconds(1))).isTrue();
      now.addAndGet(Duration.ofSeconds(2).toNanos());
      assertThat(store.unlock("s", "b")).isEqualTo(LockStatus.LOCK_UNEXIST);
      assertThat(store.size()).as("the expired entry is dropped on touch").isZero();
    } finally {
      store.close();
    }
  }
}
