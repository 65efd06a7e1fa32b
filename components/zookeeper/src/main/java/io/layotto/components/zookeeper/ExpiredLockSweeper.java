package io.layotto.components.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes lock nodes whose lease has ended: lock nodes are persistent (see {@link ZookeeperLockStore}),
 * so the node of a holder that never unlocked, on a resource nobody locks again, would otherwise stay
 * forever. Runs every {@link #EVERY} on a daemon thread of each lock store. Several sidecars sweeping
 * at once is harmless: each delete is the store's own delete, checked against the node's version and
 * generation and judged on a fresh server time. Never runs when {@code keyPrefixPath} is "/", where
 * other applications' nodes live; skips nodes whose name this store cannot have made, nodes without a
 * lease length (Layotto's Go layout) and nodes with children.
 */
final class ExpiredLockSweeper implements AutoCloseable {

  static final Duration EVERY = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(ExpiredLockSweeper.class);

  private final ScheduledExecutorService timer;

  private ExpiredLockSweeper(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Starts sweeping the store's nodes, or returns null when its base path is the root. */
  static @Nullable ExpiredLockSweeper start(ZookeeperClient client) {
    if (client.settings().basePath().isEmpty()) {
      return null;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("zookeeper-lock-sweeper").factory());
    timer.scheduleWithFixedDelay(() -> {
      try {
        int deleted = sweep(client);
        LOG.debug("{}: deleted {} expired lock nodes", client.description(), deleted);
      } catch (Exception e) {
        LOG.debug("{}: sweeping expired lock nodes failed, next try in {}", client.description(), EVERY, e);
      }
    }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return new ExpiredLockSweeper(timer);
  }

  /** One pass over the store's lock nodes; returns how many expired ones it deleted. */
  static int sweep(ZookeeperClient client) throws Exception {
    CuratorFramework zk = client.curator();
    String base = client.settings().basePath();
    List<String> children;
    try {
      children = zk.getChildren().forPath(base);
    } catch (KeeperException.NoNodeException nothingYet) {
      return 0;
    }
    long now = ZookeeperLockStore.serverNow(client);
    int deleted = 0;
    for (String name : children) {
      String resourceId = ZnodeNames.decode(name);
      if (resourceId == null || name.startsWith(".")) {
        continue;
      }
      Stat stat = new Stat();
      byte[] data;
      try {
        data = zk.getData().storingStatIn(stat).forPath(base + "/" + name);
      } catch (KeeperException.NoNodeException gone) {
        continue;
      }
      if (stat.getNumChildren() > 0 || !LockLease.parse(data == null ? new byte[0] : data, stat, 0).expiredAt(now)) {
        continue;
      }
      // judged again, with a fresh server time and the generation check, by the store's own code
      ZookeeperLockStore.Node node = new ZookeeperLockStore.Node(client, resourceId);
      try {
        if (node.live() == null && zk.checkExists().forPath(node.path()) == null) {
          deleted++;
        }
      } catch (KeeperException.NotEmptyException gotChildren) {
        // not a lock node after all
      }
    }
    return deleted;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
