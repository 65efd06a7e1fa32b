package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lock conformance kit against an in-process ZooKeeper server, plus the node layout. */
class ZookeeperLockStoreConformanceTest extends LockStoreConformance {

  private final ZookeeperTestServer zookeeper = new ZookeeperTestServer();

  @Override
  protected LockStore createStore() {
    LockStore store = new ZookeeperLockStoreFactory().create();
    store.init(zookeeper.metadata("lock_zk", Map.of()));
    return store;
  }

  @AfterAll
  void stopServer() throws Exception {
    zookeeper.close();
  }

  @Test
  void aHeldLockIsAPersistentNodeHoldingLeaseAndOwner() throws Exception {
    String r = resource("layout/with.dots");
    assertThat(store().tryLock(r, "owner-1", Duration.ofSeconds(30))).isTrue();
    try (CuratorFramework zk = CuratorFrameworkFactory.newClient(zookeeper.server().getConnectString(),
        new RetryOneTime(100))) {
      zk.start();
      Stat stat = new Stat();
      String path = "/layotto/lock/" + ZnodeNames.encode(r);
      assertThat(path).doesNotContain("layout/with");
      byte[] data = zk.getData().storingStatIn(stat).forPath(path);
      assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo("30000\nowner-1");
      assertThat(stat.getEphemeralOwner()).as("not ephemeral: it must not vanish with a session while its lease runs")
          .isZero();
    }
    assertThat(store().unlock(r, "owner-1")).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  void aStaleDeleteNeverRemovesALockTakenAgainInBetween() throws Exception {
    String r = resource("aba");
    ZookeeperLockStore zkStore = (ZookeeperLockStore) store();
    assertThat(store().tryLock(r, "a", Duration.ofSeconds(60))).isTrue();
    ZookeeperLockStore.Node node = new ZookeeperLockStore.Node(zkStore.client(), r);
    LockLease stale = node.live();
    assertThat(stale).isNotNull();
    assertThat(stale.version()).isZero();

    assertThat(store().unlock(r, "a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(store().tryLock(r, "b", Duration.ofSeconds(60))).as("re-created, again at version 0").isTrue();
    CuratorFramework zk = zkStore.client().curator();
    assertThat(node.apply(stale, zk.transactionOp().delete().withVersion(stale.version()).forPath(node.path())))
        .as("a delete judged on the old node").isFalse();
    assertThat(store().tryLock(r, "c", Duration.ofSeconds(60))).as("b still holds it").isFalse();
    assertThat(store().unlock(r, "b")).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  void theSweeperDeletesExpiredLockNodesOnlyAndNothingElse() throws Exception {
    ZookeeperLockStore zkStore = (ZookeeperLockStore) store();
    CuratorFramework zk = zkStore.client().curator();
    String abandoned = resource("abandoned.lock");
    String held = resource("held");
    assertThat(store().tryLock(abandoned, "owner-1", Duration.ofSeconds(1))).isTrue();
    assertThat(store().tryLock(held, "owner-2", Duration.ofSeconds(60))).isTrue();
    String goLayout = "/layotto/lock/" + ZnodeNames.encode(resource("go")); // owner only: lives with its session
    zk.create().forPath(goLayout, "owner-3".getBytes(StandardCharsets.UTF_8));
    String foreign = "/layotto/lock/not%ZZours"; // no name this store makes, whatever it holds
    zk.create().forPath(foreign, "1\nx".getBytes(StandardCharsets.UTF_8));
    String withChildren = "/layotto/lock/" + ZnodeNames.encode(resource("parent"));
    zk.create().forPath(withChildren, "1\nx".getBytes(StandardCharsets.UTF_8));
    zk.create().forPath(withChildren + "/child");

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
      ExpiredLockSweeper.sweep(zkStore.client());
      return zk.checkExists().forPath("/layotto/lock/" + ZnodeNames.encode(abandoned)) == null;
    });
    assertThat(zk.checkExists().forPath("/layotto/lock/" + ZnodeNames.encode(held))).as("a live lock").isNotNull();
    assertThat(zk.checkExists().forPath(goLayout)).isNotNull();
    assertThat(zk.checkExists().forPath(foreign)).isNotNull();
    assertThat(zk.checkExists().forPath(withChildren + "/child")).isNotNull();
    assertThat(store().unlock(held, "owner-2")).isEqualTo(LockStatus.SUCCESS);
    assertThat(store().tryLock(abandoned, "owner-4", Duration.ofSeconds(60))).isTrue();
    assertThat(store().unlock(abandoned, "owner-4")).isEqualTo(LockStatus.SUCCESS);
  }
}
