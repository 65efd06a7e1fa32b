package io.layotto.components.inmemory;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.NonBlockingLockStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Locks in this process's memory (type {@code in-memory}): one sidecar only, lost on restart. Every
 * decision is one atomic {@code compute} on the resource's map entry, and expiry uses the monotonic
 * clock, so wall-clock jumps neither free nor prolong a lock. Unlike Layotto's version, unlock and
 * keep-alive treat an expired lock as gone. A sweep every 30 s drops expired entries.
 */
public final class InMemoryLockStore implements NonBlockingLockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  private static final long SWEEP_SECONDS = 30;

  private record Held(String owner, long expiresAtNanos) {}

  private final ConcurrentMap<String, Held> locks = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;
  private volatile @Nullable ScheduledExecutorService sweeper;

  public InMemoryLockStore() {
    this(System::nanoTime);
  }

  /** With a test clock in nanoseconds. */
  InMemoryLockStore(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (sweeper != null) {
      throw ComponentException.internal("in-memory lock store '" + metadata.componentName()
          + "' is already initialised", null);
    }
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
        .name("layotto-in-memory-lock-sweep-" + metadata.componentName()).factory());
    s.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    sweeper = s;
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    long now = nanoClock.getAsLong();
    Held mine = new Held(owner, now + TimeUnit.MILLISECONDS.toNanos(ttlMillis));
    Held result = locks.compute(resourceId, (k, held) -> held == null || expired(held, now) ? mine : held);
    return result == mine;
  }

  /** A map update, done in place. */
  @Override
  public CompletableFuture<Boolean> tryLockAsync(String resourceId, String owner, Duration ttl) {
    return CompletableFuture.completedFuture(tryLock(resourceId, owner, ttl));
  }

  @Override
  public CompletableFuture<LockStatus> unlockAsync(String resourceId, String owner) {
    return CompletableFuture.completedFuture(unlock(resourceId, owner));
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    LockStatus[] status = new LockStatus[1];
    long now = nanoClock.getAsLong();
    locks.compute(resourceId, (k, held) -> {
      if (held == null || expired(held, now)) {
        status[0] = LockStatus.LOCK_UNEXIST;
        return null;
      }
      if (!held.owner().equals(owner)) {
        status[0] = LockStatus.LOCK_BELONG_TO_OTHERS;
        return held;
      }
      status[0] = LockStatus.SUCCESS;
      return null;
    });
    return status[0];
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    LockStatus[] status = new LockStatus[1];
    long now = nanoClock.getAsLong();
    locks.compute(resourceId, (k, held) -> {
      if (held == null || expired(held, now)) {
        status[0] = LockStatus.LOCK_UNEXIST;
        return null;
      }
      if (!held.owner().equals(owner)) {
        status[0] = LockStatus.LOCK_BELONG_TO_OTHERS;
        return held;
      }
      status[0] = LockStatus.SUCCESS;
      return new Held(owner, now + TimeUnit.MILLISECONDS.toNanos(ttlMillis));
    });
    return status[0];
  }

  private static boolean expired(Held held, long now) {
    return now - held.expiresAtNanos() >= 0;
  }

  private void sweep() {
    long now = nanoClock.getAsLong();
    locks.entrySet().removeIf(e -> expired(e.getValue(), now));
  }

  /** Number of entries, expired ones included until swept (tests). */
  int size() {
    return locks.size();
  }

  @Override
  public void close() {
    ScheduledExecutorService s = sweeper;
    if (s != null) {
      s.shutdownNow();
    }
    locks.clear();
  }
}
