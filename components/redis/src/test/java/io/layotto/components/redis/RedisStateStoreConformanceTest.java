package io.layotto.components.redis;

import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreConformance;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The state conformance kit against the shared Redis at 127.0.0.1:6379. */
class RedisStateStoreConformanceTest extends StateStoreConformance {

  @Override
  protected StateStore createStore() {
    return RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS, Map.of());
  }

  /** Redis is fast enough to let the 64 writers contend a little longer. */
  @Override
  protected int incrementsPerParallelWriter() {
    return 10;
  }

  @AfterAll
  void deleteTheKeysOfThisRun() {
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.deleteKeysStartingWith(runPrefix());
    }
  }
}
