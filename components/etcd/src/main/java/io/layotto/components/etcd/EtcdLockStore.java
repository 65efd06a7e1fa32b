package io.layotto.components.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Context;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.NonBlockingLockStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lock store type {@code etcd}, as Layotto's: a lock is the key {@code <keyPrefixPath><resourceId>}
 * holding the owner, attached to a lease of the lock's time-to-live, so etcd itself deletes it when
 * the lease runs out. TryLock grants the lease, then puts the key in a transaction guarded by
 * "create revision == 0" (key absent). Unlock and keep-alive compare the value with the owner in
 * the same transaction as their delete or put, so a former owner never touches a lock taken over
 * after expiry. TryLock and Unlock never block (the runtime calls them on its event loop); each
 * step has the request timeout. Keep-alive moves the key to a new lease of the requested
 * time-to-live and revokes the old one. Leases count whole seconds: a time-to-live is rounded up to
 * the next second (etcd may also raise very short leases to its minimum, about 2 s).
 */
public final class EtcdLockStore implements NonBlockingLockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  static final String DEFAULT_PREFIX = "/layotto/";

  private static final Logger log = LoggerFactory.getLogger(EtcdLockStore.class);

  private volatile @Nullable EtcdSession session;
  private String name = "etcd";

  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (session != null) {
      throw ComponentException.internal("etcd lock store '" + metadata.componentName() + "' is already initialised", null);
    }
    name = metadata.componentName();
    EtcdSession s = EtcdSession.open(metadata, DEFAULT_PREFIX, "etcd lock store '" + name + "'");
    session = s;
    log.info("etcd lock store '{}' connected: {}", name, s.settings());
  }

  @Override
  public Health checkHealth() {
    EtcdSession s = session;
    return s == null ? Health.down("etcd lock store '" + name + "' is not initialised") : s.health();
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    return EtcdReplies.join(tryLockAsync(resourceId, owner, ttl));
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    return EtcdReplies.join(unlockAsync(resourceId, owner));
  }

  @Override
  public CompletableFuture<Boolean> tryLockAsync(String resourceId, String owner, Duration ttl) {
    long seconds = leaseSeconds(LockRequests.check(resourceId, owner, ttl));
    EtcdSession s = session();
    ByteSequence key = s.key(resourceId);
    String resource = "resource '" + EtcdSession.shown(resourceId) + "'";
    return s.later(s.client().getLeaseClient().grant(seconds), "lease grant of " + seconds + " s for " + resource)
        .thenCompose(granted -> {
          long lease = granted.getID();
          return s.later(s.client().getKVClient().txn()
                  .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                  .Then(Op.put(key, EtcdSession.bytes(owner), PutOption.builder().withLeaseId(lease).build()))
                  .commit(), "tryLock of " + resource)
              .thenApply(TxnResponse::isSucceeded)
              // not taken, or unknown (a timed-out put may still apply): revoking the lease deletes
              // whatever key it holds, so no lock is left behind that its caller was told it lacks
              .whenComplete((taken, error) -> {
                if (error != null || !taken) {
                  revokeQuietly(s, lease);
                }
              });
        });
  }

  @Override
  public CompletableFuture<LockStatus> unlockAsync(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    EtcdSession s = session();
    ByteSequence key = s.key(resourceId);
    return s.later(s.client().getKVClient().txn()
            .If(ownedBy(key, owner))
            .Then(Op.get(key, GetOption.DEFAULT), Op.delete(key, DeleteOption.DEFAULT))
            .Else(Op.get(key, GetOption.DEFAULT))
            .commit(), "unlock of resource '" + EtcdSession.shown(resourceId) + "'")
        .thenApply(response -> {
          if (!response.isSucceeded()) {
            return failedStatus(response);
          }
          // the lease held only this key: revoke it rather than leave it to run out
          held(response).ifPresent(kv -> revokeQuietly(s, kv.getLease()));
          return LockStatus.SUCCESS;
        });
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long seconds = leaseSeconds(LockRequests.check(resourceId, owner, ttl));
    EtcdSession s = session();
    ByteSequence key = s.key(resourceId);
    long lease = grant(s, seconds, resourceId);
    boolean moved = false;
    try {
      TxnResponse response = s.await(s.client().getKVClient().txn()
          .If(ownedBy(key, owner))
          .Then(Op.get(key, GetOption.DEFAULT),
              Op.put(key, EtcdSession.bytes(owner), PutOption.builder().withLeaseId(lease).build()))
          .Else(Op.get(key, GetOption.DEFAULT))
          .commit(), "keep-alive of resource '" + EtcdSession.shown(resourceId) + "'");
      if (!response.isSucceeded()) {
        return failedStatus(response);
      }
      moved = true;
      held(response).ifPresent(kv -> revokeQuietly(s, kv.getLease()));
      return LockStatus.SUCCESS;
    } finally {
      if (!moved) {
        revokeQuietly(s, lease);
      }
    }
  }

  /** etcd fails a value comparison on a missing key, so this holds only for a live lock of the owner. */
  private static Cmp ownedBy(ByteSequence key, String owner) {
    return new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(EtcdSession.bytes(owner)));
  }

  private static LockStatus failedStatus(TxnResponse response) {
    return held(response).isPresent() ? LockStatus.LOCK_BELONG_TO_OTHERS : LockStatus.LOCK_UNEXIST;
  }

  /** The lock's key-value as read by the transaction's first get, if the key existed. */
  private static java.util.Optional<KeyValue> held(TxnResponse response) {
    List<KeyValue> kvs = response.getGetResponses().isEmpty() ? List.of() : response.getGetResponses().getFirst().getKvs();
    return kvs.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(kvs.getFirst());
  }

  private static long leaseSeconds(long ttlMillis) {
    return Math.max(1, (ttlMillis + 999) / 1000);
  }

  private long grant(EtcdSession s, long seconds, String resourceId) {
    return s.await(s.client().getLeaseClient().grant(seconds),
        "lease grant of " + seconds + " s for resource '" + EtcdSession.shown(resourceId) + "'").getID();
  }

  /** Best effort: a lease not revoked runs out by itself after its time-to-live. */
  private void revokeQuietly(EtcdSession s, long lease) {
    if (lease == 0) {
      return;
    }
    // in the root context: a TryLock cancelled by its client must still give back its lease
    Context.ROOT.run(() -> s.client().getLeaseClient().revoke(lease).whenComplete((r, e) -> {
      if (e != null) {
        log.debug("etcd lock store '{}': revoking lease {} failed (it runs out by itself): {}", name, lease, e.toString());
      }
    }));
  }

  private EtcdSession session() {
    EtcdSession s = session;
    if (s == null) {
      throw ComponentException.internal("etcd lock store '" + name + "' is not initialised (or already closed)", null);
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
        log.debug("closing the etcd client of lock store '{}' failed", name, e);
      }
    }
  }
}
