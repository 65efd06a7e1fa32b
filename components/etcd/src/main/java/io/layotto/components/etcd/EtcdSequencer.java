package io.layotto.components.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Context;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencer type {@code etcd}: each key is the etcd key {@code <keyPrefixPath><key>} holding the
 * last id handed out as a decimal string. Ids are taken by compare-and-swap: read the counter, then
 * in one transaction "if its mod revision is unchanged, put counter + n, else read it again",
 * retrying with the fresh value. Transactions are linearizable, so ids are STRONG across every
 * sidecar sharing the etcd; the instance remembers the counter it last wrote, so an uncontended
 * swap costs one transaction.
 *
 * <p>Nothing blocks (the runtime calls {@link #nextIdAsync} on its event loop), and calls of one key
 * in flight together share one swap ({@link GroupCommit}): without it a key gave out at most one id
 * per etcd round trip.
 * (Layotto's Go component returns the key's version instead, which cannot reserve ranges or honour
 * {@code biggerThan} beyond int32.)
 */
public final class EtcdSequencer implements NonBlockingSequencer {

  static final Set<SequencerFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
      SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND));
  static final String DEFAULT_PREFIX = "/layotto/";

  private static final Logger log = LoggerFactory.getLogger(EtcdSequencer.class);
  private static final int MAX_CACHED_KEYS = 10_000;

  private final GroupCommit groupCommit = new GroupCommit(this::advance);
  private final ConcurrentHashMap<String, Counter> known = new ConcurrentHashMap<>();
  private volatile @Nullable EtcdSession session;
  private String name = "etcd";

  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata, Map<String, Long> biggerThan) {
    if (session != null) {
      throw ComponentException.internal("etcd sequencer '" + metadata.componentName() + "' is already initialised", null);
    }
    name = metadata.componentName();
    EtcdSession s = EtcdSession.open(metadata, DEFAULT_PREFIX, "etcd sequencer '" + name + "'");
    try {
      for (Map.Entry<String, Long> e : biggerThan.entrySet()) {
        if (e.getValue() > 0) {
          String key = SequencerKeys.requireKey(e.getKey());
          EtcdReplies.join(current(s, key).thenCompose(counter -> raise(s, key, counter, e.getValue())));
        }
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    session = s;
    log.info("etcd sequencer '{}' connected: {}", name, s.settings());
  }

  @Override
  public Health checkHealth() {
    EtcdSession s = session;
    return s == null ? Health.down("etcd sequencer '" + name + "' is not initialised") : s.health();
  }

  @Override
  public CompletableFuture<Long> nextIdAsync(String key) {
    SequencerKeys.requireKey(key);
    session();
    return groupCommit.take(key, 1);
  }

  @Override
  public long nextId(String key) {
    return EtcdReplies.join(nextIdAsync(key));
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    session();
    long last = EtcdReplies.join(groupCommit.take(key, size));
    return new IdRange(last - size + 1, last);
  }

  /** One update of the group commit: adds {@code size} to the counter of {@code key}. */
  private CompletableFuture<Long> advance(String key, long size) {
    CompletableFuture<Long> last;
    // The swap serves many callers: it must not be cancelled with the gRPC call it was started
    // under (the first caller's, or one that has just been answered), so it runs in the root context.
    Context caller = Context.ROOT.attach();
    try {
      EtcdSession s = session();
      Counter cached = known.get(key);
      // the counter as this instance last wrote it saves a read; the swap checks it is still current
      last = cached != null ? advance(s, key, cached, true, size)
          : current(s, key).thenCompose(counter -> advance(s, key, counter, false, size));
    } catch (RuntimeException e) {
      last = CompletableFuture.failedFuture(e);
    } finally {
      Context.ROOT.detach(caller);
    }
    return last.whenComplete((lastId, failure) -> {
      if (failure != null) {
        known.remove(key);
      }
    });
  }

  /** Adds {@code size} to the counter of {@code key}; completes with the new value (the last id taken). */
  private CompletableFuture<Long> advance(EtcdSession s, String key, Counter current, boolean cached, long size) {
    if (current.value() > Long.MAX_VALUE - size) {
      if (cached) {
        return current(s, key).thenCompose(counter -> advance(s, key, counter, false, size));
      }
      return CompletableFuture.failedFuture(SequencerKeys.exhausted(key, "the counter in etcd is " + current.value()
          + " and " + (size == 1 ? "one more id" : size + " more ids") + " would pass " + Long.MAX_VALUE));
    }
    long next = current.value() + size;
    return swap(s, key, current, next).thenCompose(swap -> {
      if (swap.done()) {
        remember(key, swap.now());
        return CompletableFuture.completedFuture(next);
      }
      return advance(s, key, swap.now(), false, size);
    });
  }

  private void remember(String key, Counter counter) {
    if (known.size() >= MAX_CACHED_KEYS) {
      known.clear();
    }
    known.put(key, counter);
  }

  /** Sets the counter of {@code key} to {@code floor} unless it is already at least that. */
  private CompletableFuture<Void> raise(EtcdSession s, String key, Counter current, long floor) {
    if (current.value() >= floor) {
      return CompletableFuture.completedFuture(null);
    }
    return swap(s, key, current, floor).thenCompose(swap -> swap.done()
        ? CompletableFuture.completedFuture(null) : raise(s, key, swap.now(), floor));
  }

  /** Outcome of a compare-and-swap: whether it wrote, and the counter as it is now. */
  private record Swap(boolean done, Counter now) {}

  /** Puts {@code next} if the counter is still {@code expected}. */
  private CompletableFuture<Swap> swap(EtcdSession s, String key, Counter expected, long next) {
    ByteSequence etcdKey = s.key(key);
    return s.later(s.client().getKVClient().txn()
        .If(new Cmp(etcdKey, Cmp.Op.EQUAL, CmpTarget.modRevision(expected.modRevision())))
        .Then(Op.put(etcdKey, EtcdSession.bytes(Long.toString(next)), PutOption.DEFAULT))
        .Else(Op.get(etcdKey, GetOption.DEFAULT))
        .commit(), "update of key '" + EtcdSession.shown(key) + "' to " + next)
        .thenApply((TxnResponse response) -> response.isSucceeded()
            // a put in a transaction gets the revision the transaction created
            ? new Swap(true, new Counter(next, response.getHeader().getRevision()))
            : new Swap(false, read(s, key, response.getGetResponses().getFirst().getKvs())));
  }

  private CompletableFuture<Counter> current(EtcdSession s, String key) {
    return s.later(s.client().getKVClient().get(s.key(key)), "read of key '" + EtcdSession.shown(key) + "'")
        .thenApply(response -> read(s, key, response.getKvs()));
  }

  /** The counter's value and mod revision; a missing key counts 0 at revision 0. */
  private record Counter(long value, long modRevision) {}

  private Counter read(EtcdSession s, String key, List<KeyValue> kvs) {
    if (kvs.isEmpty()) {
      return new Counter(0, 0);
    }
    KeyValue kv = kvs.getFirst();
    String text = kv.getValue().toString(StandardCharsets.UTF_8);
    try {
      long value = Long.parseLong(text.trim());
      if (value < 0) {
        throw new NumberFormatException("negative");
      }
      return new Counter(value, kv.getModRevision());
    } catch (NumberFormatException e) {
      throw ComponentException.internal("etcd key '" + s.settings().keyPrefix() + EtcdSession.shown(key) + "' of sequencer '" + name
          + "' holds '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
          + "', not a sequencer counter (a non-negative integer)", e);
    }
  }

  private EtcdSession session() {
    EtcdSession s = session;
    if (s == null) {
      throw ComponentException.internal("etcd sequencer '" + name + "' is not initialised (or already closed)", null);
    }
    return s;
  }

  @Override
  public synchronized void close() {
    EtcdSession s = session;
    session = null;
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        log.debug("closing the etcd client of sequencer '{}' failed", name, e);
      }
    }
  }
}
