package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lock conformance kit against the shared Redis at 127.0.0.1:6379, plus its key layout. */
class RedisLockStoreConformanceTest extends LockStoreConformance {

  @Override
  protected LockStore createStore() {
    RedisLockStore store = new RedisLockStore();
    store.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    return store;
  }

  @Test
  void aLockIsTheResourceKeyHoldingTheOwnerWithAMillisecondExpiry() {
    String r = resource("layout");
    assertThat(store().tryLock(r, "owner-1", Duration.ofSeconds(30))).isTrue();
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      assertThat(new String(redis.raw().get(r), StandardCharsets.UTF_8)).isEqualTo("owner-1");
      assertThat(redis.raw().pttl(r)).isBetween(1L, 30_000L);
    }
    store().unlock(r, "owner-1");
  }

  @AfterAll
  void deleteTheKeysOfThisRun() {
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.deleteKeysStartingWith(runPrefix());
    }
  }
}
