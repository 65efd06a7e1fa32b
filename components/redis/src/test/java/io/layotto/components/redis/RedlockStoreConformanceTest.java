package io.layotto.components.redis;

import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;

/** The lock conformance kit against Redlock over three private redis-servers. */
class RedlockStoreConformanceTest extends LockStoreConformance {

  private RedlockTestNodes nodes;

  @Override
  protected LockStore createStore() {
    try {
      if (nodes == null) {
        nodes = new RedlockTestNodes(3);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return nodes.openStore();
  }

  @AfterAll
  void stopNodes() {
    if (nodes != null) {
      nodes.close();
    }
  }
}
