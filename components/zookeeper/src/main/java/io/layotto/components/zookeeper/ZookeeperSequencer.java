package io.layotto.components.zookeeper;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Sequencer type {@code zookeeper}: each key is a persistent node {@code <keyPrefixPath>/<key>} whose
 * data is the last id handed out, in decimal. An id or a range is taken by reading the node and
 * writing the new last id with the version read (compare-and-set), retried on conflict, so any
 * number of sidecars may share the ensemble and ids survive restarts of both sidecar and server.
 *
 * <p>Layotto's Go component instead returns the node's version (an int32) after a {@code setData},
 * on an <em>ephemeral</em> node that vanishes with the session, so its ids restart; this one does
 * not keep that layout. Within one sidecar, calls on the same key take turns (a striped lock) so
 * that only sidecars contend with each other. If the connection drops after a write was applied,
 * Curator's retry sees a new version and the range is taken again: that loses ids (a gap), it never
 * hands one out twice.
 */
public final class ZookeeperSequencer implements Sequencer {

  static final Set<SequencerFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
      SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND));
  static final String DEFAULT_BASE_PATH = "/layotto/sequencer";
  private static final int STRIPES = 64;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private volatile @Nullable ZookeeperClient client;

  public ZookeeperSequencer() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata, Map<String, Long> biggerThan) {
    if (client != null) {
      throw ComponentException.internal("zookeeper sequencer '" + metadata.componentName()
          + "' is already initialised", null);
    }
    ZookeeperClient c = ZookeeperClient.open("zookeeper sequencer", metadata.componentName(),
        ZookeeperSettings.from(metadata, DEFAULT_BASE_PATH));
    try {
      for (Map.Entry<String, Long> e : biggerThan.entrySet()) {
        if (e.getValue() > 0) {
          String key = SequencerKeys.requireKey(e.getKey());
          c.call("biggerThan " + e.getValue() + " of key '" + key + "'", () -> {
            raise(c, key, e.getValue());
            return null;
          });
        }
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    client = c;
  }

  @Override
  public Health checkHealth() {
    ZookeeperClient c = client;
    return c == null ? Health.down("zookeeper sequencer is not initialised") : c.health();
  }

  @Override
  public long nextId(String key) {
    SequencerKeys.requireKey(key);
    return take(key, 1).last();
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    return take(key, size);
  }

  private IdRange take(String key, int size) {
    ZookeeperClient c = client();
    String path = c.settings().path(key);
    ReentrantLock turn = stripes[Math.floorMod(key.hashCode(), STRIPES)];
    turn.lock();
    try {
      return c.call((size == 1 ? "next id" : "range of " + size + " ids") + " of key '" + key + "'", () -> {
        CuratorFramework zk = c.curator();
        while (true) {
          Stat stat = new Stat();
          long last;
          try {
            last = parse(c, key, zk.getData().storingStatIn(stat).forPath(path));
          } catch (KeeperException.NoNodeException fresh) {
            try {
              zk.create().creatingParentsIfNeeded().forPath(path, encode(size));
              return new IdRange(1, size);
            } catch (KeeperException.NodeExistsException raced) {
              continue;
            }
          }
          long next;
          try {
            next = Math.addExact(last, size);
          } catch (ArithmeticException overflow) {
            throw SequencerKeys.exhausted(key, "the last id is " + last + ", " + size + " more do not fit in int64");
          }
          try {
            zk.setData().withVersion(stat.getVersion()).forPath(path, encode(next));
            return new IdRange(last + 1, next);
          } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
            // another sidecar took ids (or the node was deleted) since we read it: read again
          }
        }
      });
    } finally {
      turn.unlock();
    }
  }

  /** Raises the key's last id to {@code floor} unless it is already higher (Layotto's biggerThan). */
  private static void raise(ZookeeperClient c, String key, long floor) throws Exception {
    CuratorFramework zk = c.curator();
    String path = c.settings().path(key);
    while (true) {
      Stat stat = new Stat();
      long last;
      try {
        last = parse(c, key, zk.getData().storingStatIn(stat).forPath(path));
      } catch (KeeperException.NoNodeException fresh) {
        try {
          zk.create().creatingParentsIfNeeded().forPath(path, encode(floor));
          return;
        } catch (KeeperException.NodeExistsException raced) {
          continue;
        }
      }
      if (last >= floor) {
        return;
      }
      try {
        zk.setData().withVersion(stat.getVersion()).forPath(path, encode(floor));
        return;
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
        // read again
      }
    }
  }

  private static byte[] encode(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private static long parse(ZookeeperClient c, String key, byte @Nullable [] data) {
    String text = data == null ? "" : new String(data, StandardCharsets.US_ASCII).trim();
    if (text.isEmpty()) {
      return 0; // a node created by hand (or by Layotto's Go component) without data: no id given yet
    }
    try {
      long value = Long.parseLong(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ComponentException.internal("node " + c.settings().path(key) + " of sequencer key '" + key
        + "' on " + c.description() + " holds '" + abbreviate(text) + "', not a sequencer counter", null);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private ZookeeperClient client() {
    ZookeeperClient c = client;
    if (c == null) {
      throw ComponentException.internal("zookeeper sequencer is not initialised or already closed", null);
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
