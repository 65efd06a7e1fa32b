package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.netty.channel.EventLoopGroup;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.NonBlockingLockStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Lock store on one Redis server (type {@code redis}), key-compatible with Layotto's
 * {@code redis} lock: the (prefixed) resource id is the key, the owner its value (see
 * {@link LockCommands}). Safety rests on that one server: if it restarts without persistence, held
 * locks are lost (see docs/lock-safety.md).
 */
public final class RedisLockStore implements NonBlockingLockStore, SharesEventLoops {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);

  private volatile @Nullable RedisEndpoint endpoint;
  private @Nullable EventLoopGroup sharedLoops;
  /** Called by the runtime before {@link #init}: one Redis connection per loop, used from that loop. */
  @Override
  public synchronized void shareEventLoops(EventLoopGroup loops) {
    sharedLoops = loops;
  }


  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (endpoint != null) {
      throw ComponentException.internal("redis lock store '" + metadata.componentName() + "' is already initialised",
          null);
    }
    endpoint = RedisEndpoint.open("redis lock store", metadata.componentName(), RedisSettings.from(metadata), sharedLoops);
  }

  @Override
  public Health checkHealth() {
    RedisEndpoint e = endpoint;
    return e == null ? Health.down("redis lock store is not initialised") : e.health();
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    RedisEndpoint e = endpoint();
    return e.await(LockCommands.trySet(e, resourceId, owner, ttlMillis), "tryLock of resource '" + resourceId + "'");
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    RedisEndpoint e = endpoint();
    return e.await(LockCommands.unlock(e, resourceId, owner), "unlock of resource '" + resourceId + "'");
  }

  @Override
  public CompletableFuture<Boolean> tryLockAsync(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    RedisEndpoint e = endpoint();
    return e.translated(LockCommands.trySet(e, resourceId, owner, ttlMillis), "tryLock of resource '" + resourceId + "'");
  }

  @Override
  public CompletableFuture<LockStatus> unlockAsync(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    RedisEndpoint e = endpoint();
    return e.translated(LockCommands.unlock(e, resourceId, owner), "unlock of resource '" + resourceId + "'");
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    RedisEndpoint e = endpoint();
    return e.await(LockCommands.keepAlive(e, resourceId, owner, ttlMillis),
        "keep-alive of resource '" + resourceId + "'");
  }

  private RedisEndpoint endpoint() {
    RedisEndpoint e = endpoint;
    if (e == null) {
      throw ComponentException.internal("redis lock store is not initialised or already closed", null);
    }
    return e;
  }

  @Override
  public synchronized void close() {
    RedisEndpoint e = endpoint;
    endpoint = null;
    if (e != null) {
      e.close();
    }
  }
}
