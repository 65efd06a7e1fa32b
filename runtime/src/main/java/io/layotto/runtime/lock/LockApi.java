package io.layotto.runtime.lock;

import io.grpc.StatusRuntimeException;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.runtime.grpc.ComponentCalls;
import io.layotto.runtime.grpc.state.KeyPrefix;
import io.layotto.spi.ComponentException;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.NonBlockingLockStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The lock API in plain Java, for both gRPC services. Requests are checked in Layotto's order (no
 * lock store configured, empty resource id, empty owner, bad expiry, unknown store, malformed
 * resource id), each failure a status naming the field and value. Resource ids are stored as
 * Layotto stores them: {@code lock|||} followed by the id under the store's {@code keyPrefix}
 * strategy ({@code appid} by default, so {@code lock|||<appId>||<resource>}), so Layotto and Dapr
 * clients of one sidecar, and sidecars of one app, share locks while different apps do not.
 *
 * <p>Every method throws {@link StatusRuntimeException} only.
 */
public final class LockApi {

  /** What every stored lock key starts with, as in Layotto. */
  public static final String KEY_HEAD = "lock|||";
  /** The largest expiry accepted, in seconds (one year). */
  public static final long MAX_EXPIRE_SECONDS = LockRequests.MAX_TTL.toSeconds();

  private final LoadedComponents components;
  private final Executor blocking;
  private final Map<String, KeyPrefix> prefixes = new HashMap<>();

  /**
   * For callers that may block themselves: the {@code ...Later} methods call blocking stores in place.
   *
   * @throws IllegalArgumentException when a store's key prefix setting is unusable
   */
  public LockApi(LoadedComponents components) {
    this(components, Runnable::run);
  }

  /**
   * @param blocking where the {@code ...Later} methods call stores that may block (not
   *     {@link NonBlockingLockStore})
   * @throws IllegalArgumentException when a store's key prefix setting is unusable
   */
  public LockApi(LoadedComponents components, Executor blocking) {
    this.components = components;
    this.blocking = blocking;
    for (String name : components.lockStoreNames()) {
      prefixes.put(name, KeyPrefix.of(components.lockKeyPrefix(name), name, components.appId()));
    }
  }

  /**
   * Tries once to take the lock.
   *
   * @param expireField the name of the expiry field in the caller's proto, for messages
   */
  public boolean tryLock(String storeName, String resourceId, String owner, int expireSeconds, String expireField) {
    Target target = target(storeName, resourceId, owner, expireSeconds, expireField);
    return target.call(() -> "TryLock of resource '" + resourceId + "'",
        () -> target.store.tryLock(target.key, owner, Duration.ofSeconds(expireSeconds)));
  }

  /** Releases the lock if {@code owner} holds it. */
  public LockStatus unlock(String storeName, String resourceId, String owner) {
    Target target = target(storeName, resourceId, owner, null, "");
    return target.call(() -> "Unlock of resource '" + resourceId + "'", () -> target.store.unlock(target.key, owner));
  }

  /**
   * {@link #tryLock} without blocking the caller (the gRPC event loop). Invalid requests throw at
   * once; the future fails with statuses only.
   */
  public CompletableFuture<Boolean> tryLockLater(String storeName, String resourceId, String owner, int expireSeconds,
      String expireField) {
    Target target = target(storeName, resourceId, owner, expireSeconds, expireField);
    Duration ttl = Duration.ofSeconds(expireSeconds);
    return target.callLater(() -> "TryLock of resource '" + resourceId + "'", blocking,
        store -> store.tryLockAsync(target.key, owner, ttl), store -> store.tryLock(target.key, owner, ttl));
  }

  /** {@link #unlock} without blocking the caller. */
  public CompletableFuture<LockStatus> unlockLater(String storeName, String resourceId, String owner) {
    Target target = target(storeName, resourceId, owner, null, "");
    return target.callLater(() -> "Unlock of resource '" + resourceId + "'", blocking,
        store -> store.unlockAsync(target.key, owner), store -> store.unlock(target.key, owner));
  }

  /** Sets the remaining lease of a lock {@code owner} holds to {@code expireSeconds}. */
  public LockStatus keepAlive(String storeName, String resourceId, String owner, int expireSeconds) {
    Target target = target(storeName, resourceId, owner, expireSeconds, "expire");
    return target.call(() -> "LockKeepAlive of resource '" + resourceId + "'",
        () -> target.store.keepAlive(target.key, owner, Duration.ofSeconds(expireSeconds)));
  }

  private Target target(String storeName, String resourceId, String owner, @Nullable Integer expire, String expireField) {
    if (components.lockStoreNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("lock store is not configured (grpc_config.lock is empty)");
    }
    if (resourceId.isEmpty()) {
      throw ApiErrors.invalidArgument("ResourceId is empty in lock store " + storeName + " (field resource_id)");
    }
    if (owner.isEmpty()) {
      throw ApiErrors.invalidArgument("LockOwner is empty in lock store " + storeName + " (field lock_owner)");
    }
    if (expire != null && expire <= 0) {
      throw ApiErrors.invalidArgument("Expire is not positive in lock store " + storeName + ": " + expireField + " is "
          + expire + ", expected 1 to " + MAX_EXPIRE_SECONDS + " seconds");
    }
    if (expire != null && expire > MAX_EXPIRE_SECONDS) {
      throw ApiErrors.invalidArgument("Expire is too large in lock store " + storeName + ": " + expireField + " is "
          + expire + " seconds, expected at most " + MAX_EXPIRE_SECONDS + " (one year)");
    }
    if (storeName.isEmpty()) {
      throw ApiErrors.invalidArgument("store_name is empty; configured lock stores: " + components.lockStoreNames());
    }
    LockStore store = components.lockStore(storeName).orElseThrow(() -> ApiErrors.invalidArgument(
        "lock store " + storeName + " not found (store_name); configured lock stores: "
            + components.lockStoreNames()));
    if (resourceId.contains(KeyPrefix.SEPARATOR)) {
      throw ApiErrors.invalidArgument("resource_id is '" + resourceId + "', which must not contain '"
          + KeyPrefix.SEPARATOR + "' (lock store " + storeName + ")");
    }
    KeyPrefix prefix = prefixes.getOrDefault(storeName, KeyPrefix.NONE);
    return new Target(storeName, store, KEY_HEAD + prefix.apply(resourceId));
  }

  /** A store resolved for one call, with the stored key. */
  private record Target(String name, LockStore store, String key) {

    /** Runs a store call; its failures become statuses naming the operation, resource and store. */
    <T> T call(Supplier<String> what, Supplier<T> body) {
      try {
        return body.get();
      } catch (RuntimeException e) {
        throw ComponentCalls.failure(e, context(what));
      }
    }

    /** {@link #call} without blocking the caller; see {@link ComponentCalls#later}. */
    <T> CompletableFuture<T> callLater(Supplier<String> what, Executor executor,
        Function<NonBlockingLockStore, CompletableFuture<T>> nonBlocking, Function<LockStore, T> blocking) {
      return ComponentCalls.later(store, NonBlockingLockStore.class, executor, nonBlocking, blocking, context(what));
    }

    private Supplier<String> context(Supplier<String> what) {
      return () -> what.get() + " in lock store '" + name + "'";
    }
  }
}
