package io.layotto.components.inmemory;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.NonBlockingStateStore;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateRequests;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State kept in a {@link ConcurrentHashMap} in the sidecar's heap, with etags, TTL and atomic
 * transactions.
 *
 * <p>Concurrency: each single write is one atomic {@code compute} on its key, so etag checks are
 * compare-and-set. Transactions must look atomic to those writes and to reads, so a
 * {@link StampedLock} separates them: single writes share its read lock (they only contend per key),
 * a transaction holds the write lock, and reads take no lock at all unless a transaction ran while
 * they read (optimistic read, then retry under the shared lock).
 *
 * <p>Etags are decimal numbers from one store-wide counter, so a new value never repeats an etag
 * the key had before. Values are copied on the way in and out: callers may reuse their arrays.
 *
 * <p>Expired entries are invisible at once (checked on every access) and removed from memory by a
 * background sweep once a second, which only walks the map while entries with a TTL exist.
 */
public final class InMemoryStateStore implements NonBlockingStateStore {

  static final Set<StateFeature> FEATURES = Set.copyOf(EnumSet.allOf(StateFeature.class));

  private static final Logger log = LoggerFactory.getLogger(InMemoryStateStore.class);
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final StampedLock transactionLock = new StampedLock();
  private final AtomicLong versions = new AtomicLong();
  /** Entries in the map that carry a deadline; only a hint for skipping needless sweeps. */
  private final LongAdder expiringEntries = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable ScheduledExecutorService sweeper;

  /** One stored value. Immutable; {@code data} is never handed out without copying. */
  private record Entry(byte[] data, long version, boolean expiring, long deadlineNanos) {

    boolean expiredAt(long nowNanos) {
      return expiring && nowNanos - deadlineNanos >= 0;
    }

    String etag() {
      return Long.toString(version);
    }
  }

  /** A validated request, ready to apply: parsing errors surface before anything changes. */
  private sealed interface Change {
    String key();

    @Nullable Long expectedVersion();

    @Nullable String etag();
  }

  private record Upsert(String key, byte[] data, @Nullable String etag, @Nullable Long expectedVersion,
      boolean firstWrite, OptionalLong ttlSeconds) implements Change {

    Entry toEntry(long version, long nowNanos) {
      if (ttlSeconds.isEmpty()) {
        return new Entry(data, version, false, 0);
      }
      return new Entry(data, version, true, nowNanos + TimeUnit.SECONDS.toNanos(ttlSeconds.getAsLong()));
    }
  }

  private record Removal(String key, @Nullable String etag, @Nullable Long expectedVersion) implements Change {}

  @Override
  public void init(Metadata metadata) {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("in-memory-state-sweeper-" + metadata.componentName()).factory());
    executor.scheduleWithFixedDelay(this::sweepExpired, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    sweeper = executor;
  }

  @Override
  public Set<StateFeature> features() {
    return FEATURES;
  }

  @Override
  public Health checkHealth() {
    return closed.get() ? Health.down("in-memory state store is closed") : Health.up();
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    String key = requireKey(request.key());
    @Nullable Entry entry = readEntry(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (entry.expiredAt(System.nanoTime())) {
      removeExpired(key, entry);
      return Optional.empty();
    }
    return Optional.of(new StateValue(entry.data().clone(), entry.etag()));
  }

  @Override
  public void set(SetRequest request) {
    Upsert upsert = prepare(request);
    long stamp = transactionLock.readLock();
    try {
      long now = System.nanoTime();
      entries.compute(upsert.key(), (key, current) -> {
        checkPrecondition(upsert, live(current, now));
        Entry next = upsert.toEntry(versions.incrementAndGet(), now);
        countExpiring(current, next);
        return next;
      });
    } finally {
      transactionLock.unlockRead(stamp);
    }
  }

  @Override
  public void delete(DeleteRequest request) {
    Removal removal = prepare(request);
    long stamp = transactionLock.readLock();
    try {
      long now = System.nanoTime();
      entries.compute(removal.key(), (key, current) -> {
        checkPrecondition(removal, live(current, now));
        countExpiring(current, null);
        return null;
      });
    } finally {
      transactionLock.unlockRead(stamp);
    }
  }

  // Every operation is a short in-memory critical section (at worst it waits for a transaction to
  // finish applying), so the non-blocking variants simply run the blocking ones in place.

  @Override
  public CompletableFuture<Optional<StateValue>> getAsync(GetRequest request) {
    return CompletableFuture.completedFuture(get(request));
  }

  @Override
  public CompletableFuture<Void> bulkSetAsync(List<SetRequest> requests) {
    bulkSet(requests);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> deleteAsync(DeleteRequest request) {
    delete(request);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Checks every operation against the state the earlier ones would leave, then applies them all.
   * Nothing is written until every check has passed, and the exclusive lock keeps single operations
   * and reads from seeing a half-applied transaction.
   */
  @Override
  public void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    List<Change> changes = operations.stream().map(this::prepare).toList();
    if (changes.isEmpty()) {
      return;
    }
    long stamp = transactionLock.writeLock();
    try {
      long now = System.nanoTime();
      // key -> entry after the operations so far; a null value means "deleted"
      Map<String, @Nullable Entry> staged = new HashMap<>();
      for (Change change : changes) {
        @Nullable Entry before = staged.containsKey(change.key())
            ? staged.get(change.key())
            : live(entries.get(change.key()), now);
        checkPrecondition(change, before);
        staged.put(change.key(), change instanceof Upsert upsert
            ? upsert.toEntry(versions.incrementAndGet(), now)
            : null);
      }
      staged.forEach((key, next) -> countExpiring(next == null ? entries.remove(key) : entries.put(key, next), next));
    } finally {
      transactionLock.unlockWrite(stamp);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ScheduledExecutorService executor = sweeper;
      if (executor != null) {
        executor.shutdownNow();
      }
      entries.clear();
      expiringEntries.reset();
    }
  }

  /** Entries held in memory, expired ones not yet swept included; for tests of the sweep. */
  int storedEntries() {
    return entries.size();
  }

  /** Reads without locking unless a transaction was running, in which case waits for it. */
  private @Nullable Entry readEntry(String key) {
    long stamp = transactionLock.tryOptimisticRead();
    @Nullable Entry entry = entries.get(key);
    if (transactionLock.validate(stamp)) {
      return entry;
    }
    stamp = transactionLock.readLock();
    try {
      return entries.get(key);
    } finally {
      transactionLock.unlockRead(stamp);
    }
  }

  private static @Nullable Entry live(@Nullable Entry entry, long nowNanos) {
    return entry == null || entry.expiredAt(nowNanos) ? null : entry;
  }

  private static void checkPrecondition(Change change, @Nullable Entry live) {
    Long expected = change.expectedVersion();
    if (expected != null) {
      if (live == null) {
        throw ComponentException.etagMismatch("etag '" + change.etag() + "' does not match: key '"
            + change.key() + "' does not exist");
      }
      if (live.version() != expected) {
        throw ComponentException.etagMismatch("etag '" + change.etag() + "' does not match the current etag of key '"
            + change.key() + "'");
      }
    } else if (change instanceof Upsert upsert && upsert.firstWrite() && live != null) {
      throw ComponentException.etagMismatch("first-write of key '" + change.key()
          + "' failed: the key already exists and no etag was given");
    }
  }

  private Change prepare(TransactionalOperation operation) {
    return switch (operation) {
      case TransactionalOperation.Upsert upsert -> prepare(upsert.request());
      case TransactionalOperation.Delete delete -> prepare(delete.request());
    };
  }

  private Upsert prepare(SetRequest request) {
    String key = requireKey(request.key());
    return new Upsert(key, request.value().clone(), request.etag(), parseEtag(key, request.etag()),
        request.options().firstWrite(), StateRequests.ttlSeconds(request.metadata()));
  }

  private Removal prepare(DeleteRequest request) {
    String key = requireKey(request.key());
    return new Removal(key, request.etag(), parseEtag(key, request.etag()));
  }

  private static String requireKey(String key) {
    if (key.isEmpty()) {
      throw ComponentException.invalidArgument("key must not be empty");
    }
    return key;
  }

  /** Etags of this store are positive decimal numbers; anything else cannot be one of ours. */
  private static @Nullable Long parseEtag(String key, @Nullable String etag) {
    if (etag == null) {
      return null;
    }
    try {
      long version = Long.parseLong(etag);
      if (version > 0) {
        return version;
      }
    } catch (NumberFormatException e) {
      // reported below with the key
    }
    throw ComponentException.invalidEtag("etag '" + etag + "' of key '" + key
        + "' is not an etag of the in-memory store (expected a positive number)");
  }

  private void countExpiring(@Nullable Entry replaced, @Nullable Entry next) {
    if (replaced != null && replaced.expiring()) {
      expiringEntries.decrement();
    }
    if (next != null && next.expiring()) {
      expiringEntries.increment();
    }
  }

  /** Removes an entry only if it is still the expired one: a concurrent write may have replaced it. */
  private void removeExpired(String key, Entry expired) {
    if (entries.remove(key, expired)) {
      expiringEntries.decrement();
    }
  }

  private void sweepExpired() {
    try {
      if (expiringEntries.sum() <= 0) {
        return;
      }
      long now = System.nanoTime();
      entries.forEach((key, entry) -> {
        if (entry.expiredAt(now)) {
          removeExpired(key, entry);
        }
      });
    } catch (RuntimeException e) {
      // a failed sweep only delays freeing memory; expired entries stay invisible regardless
      log.warn("in-memory state store: sweeping expired entries failed", e);
    }
  }
}
