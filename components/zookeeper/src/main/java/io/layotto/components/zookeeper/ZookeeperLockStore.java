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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Lock store type {@code zookeeper}. A held lock is a node {@code <keyPrefixPath>/<resource>}
 * holding the lease length and the owner; it is created only if absent, so exactly one owner holds it.
 *
 * <p>The lease alone decides how long a lock lives: it runs from the node's modification time as
 * stamped by the server, and a node older than its lease counts as absent (the next call on the
 * resource deletes it). "Now" is read from the server too, by touching {@code <keyPrefixPath>/.clock},
 * so sidecar clocks never matter. Layotto's Go component makes the node ephemeral, on one session per
 * lock with timeout = expire, which the server clamps to 2..20 ticks; this one does not, because an
 * ephemeral node vanishes when its session expires, which a server outage or freeze longer than the
 * session timeout (or a sidecar cut off from ZooKeeper that long) causes while the holder's lease
 * still runs: a second owner would get the lock while the first may still act on it. The price: the
 * locks of a sidecar that dies stay held until their leases end, as with every other store; the node
 * of an expired lock whose resource is never locked again is removed by {@link ExpiredLockSweeper}.
 *
 * <p>Deleting or rewriting a node "with the version read" is not enough on its own: a node deleted
 * and created again starts over at version 0, so a stale delete could remove a newer holder's lock.
 * Every creation therefore also bumps the version of a persistent generation node
 * ({@code <keyPrefixPath>/.gen/<resource hash mod 64>}) in the same transaction, and every delete or
 * rewrite checks that generation in its transaction: if a lock was created on the stripe since the
 * node was read, the call reads again.
 *
 */
public final class ZookeeperLockStore implements LockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  static final String DEFAULT_BASE_PATH = "/layotto/lock";
  private static final String CLOCK = "/.clock";
  private static final String GENERATIONS = "/.gen";
  private static final int STRIPES = 64;
  private static final int ROUNDS = 5;
  private static final byte[] NOTHING = new byte[0];

  static final String MAX_CONCURRENT_CALLS = "maxConcurrentCalls";
  static final int DEFAULT_MAX_CONCURRENT_CALLS = 16;
  static final int MOST_CONCURRENT_CALLS = 10_000;

  /**
   * The calls working on ZooKeeper now. Calls on one generation stripe invalidate each other's reads;
   * with the calls of a burst all at work at once nearly every unlock read again and again, and the
   * store fell behind for good (benchmark: 1,000 pairs/s offered, seconds of latency, leases running
   * out). With a bounded number at work the rest wait in line, and the store keeps its full rate.
   */
  private volatile Semaphore slots = new Semaphore(DEFAULT_MAX_CONCURRENT_CALLS, true);
  private volatile int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
  private volatile @Nullable ZookeeperClient client;
  private @Nullable ExpiredLockSweeper sweeper;

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
    ZookeeperSettings settings = ZookeeperSettings.from(metadata, DEFAULT_BASE_PATH);
    int max = metadata.getInt(MAX_CONCURRENT_CALLS, DEFAULT_MAX_CONCURRENT_CALLS);
    if (max < 1 || max > MOST_CONCURRENT_CALLS) {
      throw ComponentException.invalidArgument("metadata '" + MAX_CONCURRENT_CALLS + "' of component '"
          + metadata.componentName() + "' is " + max + ", expected 1.." + MOST_CONCURRENT_CALLS);
    }
    maxConcurrentCalls = max;
    slots = new Semaphore(max, true);
    ZookeeperClient c = ZookeeperClient.open("zookeeper lock store", metadata.componentName(), settings);
    client = c;
    sweeper = ExpiredLockSweeper.start(c);
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
    Node node = new Node(c, resourceId);
    byte[] data = LockLease.encode(ttlMillis, owner);
    return limited(c, () -> c.call("tryLock of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      for (int round = 0; round < ROUNDS; round++) {
        try {
          zk.transaction().forOperations(
              zk.transactionOp().setData().forPath(node.generation, NOTHING),
              zk.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(node.path, data));
          return true;
        } catch (KeeperException.NodeExistsException held) {
          if (node.live() != null) {
            return false;
          }
          // it expired (and was just deleted) or went away: try again
        } catch (KeeperException.NoNodeException missing) {
          node.createParents();
        }
      }
      return false; // others kept taking the freed lock first
    }));
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    ZookeeperClient c = client();
    Node node = new Node(c, resourceId);
    return limited(c, () -> c.call("unlock of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      while (true) {
        LockLease lease = node.current();
        if (lease == null) {
          return LockStatus.LOCK_UNEXIST;
        }
        if (!lease.owner().equals(owner)) {
          // another owner's node is theirs while its lease runs and absent once it ran out
          LockLease live = node.live();
          if (live == null) {
            return LockStatus.LOCK_UNEXIST;
          }
          if (!live.owner().equals(owner)) {
            return LockStatus.LOCK_BELONG_TO_OTHERS;
          }
          continue;
        }
        // Our own node: delete it and stamp the server clock in one transaction (one round trip
        // less than reading the clock first); the stamp says whether the lease had run out, in
        // which case the lock no longer existed and deleting the node only tidied up.
        Stat clock = node.applyStamped(lease, zk.transactionOp().delete().withVersion(lease.version()).forPath(node.path));
        if (clock != null) {
          return lease.expiredAt(clock.getMtime()) ? LockStatus.LOCK_UNEXIST : LockStatus.SUCCESS;
        }
      }
    }));
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    ZookeeperClient c = client();
    Node node = new Node(c, resourceId);
    byte[] data = LockLease.encode(ttlMillis, owner);
    return limited(c, () -> c.call("keep-alive of resource '" + resourceId + "'", () -> {
      CuratorFramework zk = c.curator();
      while (true) {
        LockLease lease = node.live();
        if (lease == null) {
          return LockStatus.LOCK_UNEXIST;
        }
        if (!lease.owner().equals(owner)) {
          return LockStatus.LOCK_BELONG_TO_OTHERS;
        }
        if (node.apply(lease, zk.transactionOp().setData().withVersion(lease.version()).forPath(node.path, data))) {
          return LockStatus.SUCCESS;
        }
      }
    }));
  }

  /** The lock node of one resource and its generation stripe. */
  static final class Node {
    private final ZookeeperClient client;
    private final String path;
    private final String generation;

    String path() {
      return path;
    }

    Node(ZookeeperClient client, String resourceId) {
      this.client = client;
      this.path = client.settings().path(resourceId);
      this.generation = client.settings().basePath() + GENERATIONS + "/" + Math.floorMod(resourceId.hashCode(), STRIPES);
    }

    /**
     * The lease on the node, live or not, or null when there is no node. The generation is read
     * before the node, so {@link #apply} fails if the node read is no longer the one in place.
     */
    @Nullable LockLease current() throws Exception {
      CuratorFramework zk = client.curator();
      while (true) {
        Stat gen = zk.checkExists().forPath(generation);
        if (gen == null) {
          createParents();
          continue;
        }
        Stat stat = new Stat();
        byte[] data;
        try {
          data = zk.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
          return null;
        }
        return LockLease.parse(data == null ? NOTHING : data, stat, gen.getVersion());
      }
    }

    /** The live lease on the node, or null when there is none; an expired node is deleted on the way. */
    @Nullable LockLease live() throws Exception {
      LockLease lease = current();
      if (lease == null || !lease.expiredAt(serverNow(client))) {
        return lease;
      }
      apply(lease, client.curator().transactionOp().delete().withVersion(lease.version()).forPath(path));
      return null;
    }

    /**
     * {@link #apply}, also stamping the server clock node in the same transaction; returns the
     * clock's stat (its modification time is the transaction's), or null if the node or its
     * generation changed since {@code lease} was read.
     */
    @Nullable Stat applyStamped(LockLease lease, CuratorOp change) throws Exception {
      CuratorFramework zk = client.curator();
      String clock = client.settings().basePath() + CLOCK;
      try {
        return zk.transaction().forOperations(
            zk.transactionOp().check().withVersion(lease.generation()).forPath(generation), change,
            zk.transactionOp().setData().forPath(clock, NOTHING)).getLast().getResultStat();
      } catch (KeeperException.BadVersionException changed) {
        return null;
      } catch (KeeperException.NoNodeException missing) {
        serverNow(client); // creates the clock node if that is what was missing, then read again
        return null;
      }
    }

    /** Runs {@code change} if neither the node nor its generation changed since {@code lease} was read. */
    boolean apply(LockLease lease, CuratorOp change) throws Exception {
      CuratorFramework zk = client.curator();
      try {
        zk.transaction().forOperations(
            zk.transactionOp().check().withVersion(lease.generation()).forPath(generation), change);
        return true;
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
        return false;
      }
    }

    /** Creates the generation stripe (and with it the base path) if missing. */
    void createParents() throws Exception {
      try {
        client.curator().create().creatingParentsIfNeeded().forPath(generation, NOTHING);
      } catch (KeeperException.NodeExistsException alreadyThere) {
        // created by another call or sidecar
      }
    }
  }

  /** The ZooKeeper server's current time in ms: the modification time of a node written just now. */
  static long serverNow(ZookeeperClient c) throws Exception {
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

  /**
   * Runs {@code call} once one of the {@link #slots} is free. A call waits in line at most as long as
   * one call may take to fail when ZooKeeper does not answer (Curator's three attempts, each waiting
   * for a connection); longer means the calls ahead are stuck, and it fails UNAVAILABLE instead of
   * running long after its caller gave up.
   */
  private <T> T limited(ZookeeperClient c, Supplier<T> call) {
    Semaphore s = slots;
    Duration patience = c.settings().connectionTimeout().multipliedBy(4).plusSeconds(2);
    try {
      if (!s.tryAcquire(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        throw ComponentException.unavailable(c.description() + ": no lock call finished within "
            + patience.toMillis() + " ms while " + maxConcurrentCalls + " were at work (maxConcurrentCalls);"
            + " ZooKeeper is slow or not reachable", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable(c.description() + ": interrupted while waiting for a free call slot", e);
    }
    try {
      return call.get();
    } finally {
      s.release();
    }
  }

  ZookeeperClient client() {
    ZookeeperClient c = client;
    if (c == null) {
      throw ComponentException.internal("zookeeper lock store is not initialised or already closed", null);
    }
    return c;
  }

  @Override
  public synchronized void close() {
    ExpiredLockSweeper s = sweeper;
    sweeper = null;
    if (s != null) {
      s.close();
    }
    ZookeeperClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }
}
