package io.layotto.components.zookeeper;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.GroupCommit;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.NonBlockingSequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;

/**
 * Sequencer type {@code zookeeper}: each key is a persistent node {@code <keyPrefixPath>/<key>} whose
 * data is the last id handed out, in decimal. Ids are taken by compare-and-set: write the new last id
 * with the node version read, read again on conflict, so any number of sidecars may share the
 * ensemble and ids survive restarts of both sidecar and server. The instance remembers the version
 * it last wrote, so an uncontended update costs one round trip.
 *
 * <p>Nothing blocks (Curator's background operations; the runtime calls {@link #nextIdAsync} on its
 * event loop), and calls of one key in flight together share one update ({@link GroupCommit}): with
 * the calls of a key taking turns, a key gave out at most one id per ZooKeeper round trip. If the
 * connection drops after a write was applied,
 * the write is seen as failed and the next one reads the node again: that loses ids (a gap), it never
 * hands one out twice.
 *
 * <p>Layotto's Go component instead returns the node's version (an int32) after a {@code setData},
 * on an <em>ephemeral</em> node that vanishes with the session, so its ids restart; this one does
 * not keep that layout.
 */
public final class ZookeeperSequencer implements NonBlockingSequencer {

  static final Set<SequencerFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
      SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND));
  static final String DEFAULT_BASE_PATH = "/layotto/sequencer";
  private static final int MAX_CACHED_KEYS = 10_000;

  private final GroupCommit groupCommit = new GroupCommit(this::advance);
  private final ConcurrentHashMap<String, Counter> known = new ConcurrentHashMap<>();
  private volatile @Nullable ZookeeperClient client;

  /** The counter's value and its node's version; version -1: there is no node yet. */
  private record Counter(long value, int version) {
    static final Counter ABSENT = new Counter(0, -1);
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
          String doing = "biggerThan " + e.getValue() + " of key '" + key + "'";
          join(c, doing, bounded(c, doing, read(c, key).thenCompose(counter -> raise(c, key, counter, e.getValue()))));
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
  public CompletableFuture<Long> nextIdAsync(String key) {
    SequencerKeys.requireKey(key);
    client();
    return groupCommit.take(key, 1);
  }

  @Override
  public long nextId(String key) {
    SequencerKeys.requireKey(key);
    return join(client(), "next id of key '" + key + "'", groupCommit.take(key, 1));
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    long last = join(client(), "range of " + size + " ids of key '" + key + "'", groupCommit.take(key, size));
    return new IdRange(last - size + 1, last);
  }

  /** One update of the group commit: adds {@code size} to the counter of {@code key}. */
  private CompletableFuture<Long> advance(String key, long size) {
    ZookeeperClient c = client();
    Counter cached = known.get(key);
    // the counter as this instance last wrote it saves a read; the versioned write checks it is current
    return bounded(c, "ids of key '" + key + "'", cached != null ? advance(c, key, cached, true, size)
        : read(c, key).thenCompose(counter -> advance(c, key, counter, false, size)))
        .whenComplete((last, failure) -> {
          if (failure != null) {
            known.remove(key);
          }
        });
  }

  /** Adds {@code size} to the counter of {@code key}; completes with the new value (the last id taken). */
  private CompletableFuture<Long> advance(ZookeeperClient c, String key, Counter current, boolean cached, long size) {
    if (current.value() > Long.MAX_VALUE - size) {
      if (cached) {
        return read(c, key).thenCompose(counter -> advance(c, key, counter, false, size));
      }
      return CompletableFuture.failedFuture(SequencerKeys.exhausted(key, "the last id is " + current.value() + ", "
          + (size == 1 ? "one more does" : size + " more do") + " not fit in int64"));
    }
    long next = current.value() + size;
    return write(c, key, current, next).thenCompose(written -> {
      if (written != null) {
        remember(key, written);
        return CompletableFuture.completedFuture(next);
      }
      // another sidecar took ids (or the node was deleted) since it was read: read again
      return read(c, key).thenCompose(counter -> advance(c, key, counter, false, size));
    });
  }

  private void remember(String key, Counter counter) {
    if (known.size() >= MAX_CACHED_KEYS) {
      known.clear();
    }
    known.put(key, counter);
  }

  /** Raises the key's last id to {@code floor} unless it is already higher (Layotto's biggerThan). */
  private static CompletableFuture<Void> raise(ZookeeperClient c, String key, Counter current, long floor) {
    if (current.value() >= floor) {
      return CompletableFuture.completedFuture(null);
    }
    return write(c, key, current, floor).thenCompose(written -> written != null
        ? CompletableFuture.completedFuture(null)
        : read(c, key).thenCompose(counter -> raise(c, key, counter, floor)));
  }

  /** The counter of {@code key}; {@link Counter#ABSENT} if its node does not exist. */
  private static CompletableFuture<Counter> read(ZookeeperClient c, String key) {
    String path = c.settings().path(key);
    return background(callback -> c.curator().getData().inBackground(callback).forPath(path)).thenApply(event ->
        switch (KeeperException.Code.get(event.getResultCode())) {
          case OK -> new Counter(parse(c, key, event.getData()), event.getStat().getVersion());
          case NONODE -> Counter.ABSENT;
          default -> throw c.failure("read of sequencer key '" + key + "'",
              KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
        });
  }

  /**
   * Writes {@code next} if the node is still at {@code expected}'s version (creates it if it was
   * absent); completes with the counter written, or null if the node changed meanwhile.
   */
  private static CompletableFuture<@Nullable Counter> write(ZookeeperClient c, String key, Counter expected, long next) {
    String path = c.settings().path(key);
    byte[] data = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
    boolean create = expected.version() < 0;
    return background(callback -> {
      if (create) {
        c.curator().create().creatingParentsIfNeeded().inBackground(callback).forPath(path, data);
      } else {
        c.curator().setData().withVersion(expected.version()).inBackground(callback).forPath(path, data);
      }
    }).thenApply(event -> switch (KeeperException.Code.get(event.getResultCode())) {
      case OK -> new Counter(next, create ? 0 : event.getStat().getVersion());
      case NODEEXISTS, BADVERSION, NONODE -> null;
      default -> throw c.failure("update of sequencer key '" + key + "' to " + next,
          KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
    });
  }

  /** Starts a Curator background operation; completes with its event (any result code). */
  private static CompletableFuture<CuratorEvent> background(Operation operation) {
    CompletableFuture<CuratorEvent> done = new CompletableFuture<>();
    try {
      operation.start((curator, event) -> done.complete(event));
    } catch (Exception e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** A Curator operation started in the background with the given callback. */
  private interface Operation {
    void start(BackgroundCallback callback) throws Exception;
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

  /**
   * Fails {@code later} UNAVAILABLE unless it completes in time. Curator answers every operation by
   * itself (CONNECTIONLOSS after its three attempts, each waiting for a connection); this bound only
   * makes sure no caller waits forever, e.g. on a client closed meanwhile.
   */
  private static <T> CompletableFuture<T> bounded(ZookeeperClient c, String doing, CompletableFuture<T> later) {
    long deadline = c.settings().connectionTimeout().multipliedBy(4).plusSeconds(2).toMillis();
    return later.orTimeout(deadline, TimeUnit.MILLISECONDS).exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      return CompletableFuture.failedFuture(cause instanceof TimeoutException
          ? ComponentException.unavailable(c.description() + ": " + doing + " got no answer within " + deadline
              + " ms, ZooKeeper not reachable", cause)
          : c.failure(doing, cause));
    });
  }

  /** Waits for {@code later}, which always completes. */
  private static <T> T join(ZookeeperClient c, String doing, CompletableFuture<T> later) {
    try {
      return later.join();
    } catch (CompletionException e) {
      throw c.failure(doing, e.getCause() != null ? e.getCause() : e);
    }
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
