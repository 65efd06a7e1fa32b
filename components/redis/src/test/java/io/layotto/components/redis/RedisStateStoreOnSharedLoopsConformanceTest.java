package io.layotto.components.redis;

import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreConformance;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * The state conformance kit against the shared Redis with the store on lent event loops (one
 * connection per loop), as the sidecar runs it.
 */
class RedisStateStoreOnSharedLoopsConformanceTest extends StateStoreConformance {

  private final DefaultEventLoopGroupProvider provider = new DefaultEventLoopGroupProvider(2);

  @Override
  protected StateStore createStore() {
    RedisStateStore store = new RedisStateStore();
    store.shareEventLoops(provider.allocate(Transports.eventLoopGroupClass()));
    store.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    return store;
  }

  @Override
  protected int incrementsPerParallelWriter() {
    return 10;
  }

  @AfterAll
  void deleteTheKeysOfThisRunAndStopTheLoops() throws Exception {
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.deleteKeysStartingWith(runPrefix());
    }
    provider.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
  }
}
