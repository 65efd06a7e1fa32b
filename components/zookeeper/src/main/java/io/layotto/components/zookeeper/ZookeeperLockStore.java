package io.layotto.components.zookeeper;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import java.time.Duration;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Lock store type {@code zookeeper}. As in Layotto, a held lock is an ephemeral node
 * {@code <keyPrefixPath>/<resource>} holding the owner; it is created only if absent, so exactly one
 * owner holds it.
 *
 * <p>ZooKeeper has no per-node TTL for ephemeral nodes. Layotto opens one session per lock with
 * timeout = expire, which the server clamps to 2..20 ticks (4..40 s by default), so expire is not
 * honoured. Here the node also records the lease length, and the lease runs from the node's
 * modification time as stamped by the server: a node older than its lease counts as absent (the
 * next tryLock deletes it with a versioned delete and creates its own). "Now" is read from the
 * server too, by touching {@code <keyPrefixPath>/.clock}, so sidecar clocks never matter.
 *
 * <p>The node is ephemeral on this store's session: if the sidecar dies, its locks disappear once
 * the session times out ({@code sessionTimeout}), even before their lease ends. A ZooKeeper outage
 * shorter than the session timeout keeps every lock (Curator resumes the session); a longer one
 * expires the session and so releases this sidecar's locks. Unlock and keep-alive check the owner
 * and then delete / rewrite the node with the version they read, so a lock taken over in between
 * is never touched.
 */
public final class ZookeeperLockStore implements LockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  static final String DEFAULT_BASE_PATH = "/layotto/lock";
  private static final String CLOCK = "/.clock";
  private static final int ROUNDS = 5;
  private static final byte[] NOTHING = new byte[0];

  private volatile @Nullable ZookeeperClient client;

  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (client != null) {
      throw ComponentException.internal("zookeeper lock store '" + metadata.componentName()
          + "' is already initialised", null);
    }
    ZookeeperSettings s = ZookeeperSettings.from(metadata, DEFAULT_BASE_PATH);
    client = ZookeeperClient.open("zookeeper lock store", metadata.componentName(), s);
  }

  @Override
  public Health checkHealth() {
    ZookeeperClient c = client;
    return c == null ? Health.down("zookeeper lock store is not initialised") : c.health();
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    ZookeeperClient c = client();
    String path = c.settings().path(resourceId);
    byte[] data = LockLease.encode(ttlMillis, owner);
    return c.call("tryLock of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      for (int round = 0; round < ROUNDS; round++) {
        try {
          zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
          return true;
        } catch (KeeperException.NodeExistsException held) {
          LockLease lease = read(zk, path);
          if (lease != null && !lease.expiredAt(serverNow(c))) {
            return false;
          }
          if (lease != null) {
            deleteQuietly(zk, path, lease.version());
          }
        }
      }
      return false; // others kept taking the freed lock first
    });
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    ZookeeperClient c = client();
    String path = c.settings().path(resourceId);
    return c.call("unlock of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      while (true) {
        LockLease lease = live(c, path);
        if (lease == null) {
          return LockStatus.LOCK_UNEXIST;
        }
        if (!lease.owner().equals(owner)) {
          return LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        try {
          zk.delete().withVersion(lease.version()).forPath(path);
          return LockStatus.SUCCESS;
        } catch (KeeperException.NoNodeException gone) {
          return LockStatus.LOCK_UNEXIST;
        } catch (KeeperException.BadVersionException changed) {
          // rewritten since we read it (keep-alive or take-over): judge again
        }
      }
    });
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    ZookeeperClient c = client();
    String path = c.settings().path(resourceId);
    byte[] data = LockLease.encode(ttlMillis, owner);
    return c.call("keep-alive of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      while (true) {
        LockLease lease = live(c, path);
        if (lease == null) {
          return LockStatus.LOCK_UNEXIST;
        }
        if (!lease.owner().equals(owner)) {
          return LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        try {
          zk.setData().withVersion(lease.version()).forPath(path, data);
          return LockStatus.SUCCESS;
        } catch (KeeperException.NoNodeException gone) {
          return LockStatus.LOCK_UNEXIST;
        } catch (KeeperException.BadVersionException changed) {
          // judge again
        }
      }
    });
  }

  /** The live lease on the node, or null when there is none; an expired node is deleted (versioned) on the way. */
  private static @Nullable LockLease live(ZookeeperClient c, String path) throws Exception {
    LockLease lease = read(c.curator(), path);
    if (lease != null && lease.expiredAt(serverNow(c))) {
      deleteQuietly(c.curator(), path, lease.version());
      return null;
    }
    return lease;
  }

  private static @Nullable LockLease read(CuratorFramework zk, String path) throws Exception {
    Stat stat = new Stat();
    try {
      byte[] data = zk.getData().storingStatIn(stat).forPath(path);
      return LockLease.parse(data == null ? NOTHING : data, stat);
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
  }

  private static void deleteQuietly(CuratorFramework zk, String path, int version) throws Exception {
    try {
      zk.delete().withVersion(version).forPath(path);
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException alreadyChanged) {
      // someone else deleted or re-took it: nothing to clean
    }
  }

  /** The ZooKeeper server's current time in ms: the modification time of a node written just now. */
  private static long serverNow(ZookeeperClient c) throws Exception {
    CuratorFramework zk = c.curator();
    String clock = c.settings().basePath() + CLOCK;
    try {
      return zk.setData().forPath(clock, NOTHING).getMtime();
    } catch (KeeperException.NoNodeException e) {
      try {
        zk.create().creatingParentsIfNeeded().forPath(clock, NOTHING);
      } catch (KeeperException.NodeExistsException raced) {
        // created concurrently
      }
      return zk.setData().forPath(clock, NOTHING).getMtime();
    }
  }

  private ZookeeperClient client() {
    ZookeeperClient c = client;
    if (c == null) {
      throw ComponentException.internal("zookeeper lock store is not initialised or already closed", null);
    }
    return c;
  }

  @Override
  public synchronized void close() {
    ZookeeperClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }
}
