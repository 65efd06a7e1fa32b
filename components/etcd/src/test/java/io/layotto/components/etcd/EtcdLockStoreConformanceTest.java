package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreConformance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The lock conformance kit against a private etcd started for this class, plus the key layout. */
class EtcdLockStoreConformanceTest extends LockStoreConformance {

  private final PrivateEtcdServer etcd = startedEtcd();

  static PrivateEtcdServer startedEtcd() {
    try {
      PrivateEtcdServer server = new PrivateEtcdServer();
      server.start();
      return server;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start a private etcd (is etcd-server installed?)", e);
    }
  }

  static Metadata metadata(PrivateEtcdServer etcd, Map<String, String> extra) {
    Map<String, String> properties = new java.util.HashMap<>(extra);
    properties.put(EtcdSettings.ENDPOINTS, etcd.endpoint());
    return new Metadata("etcd-test", properties);
  }

  @Override
  protected LockStore createStore() {
    EtcdLockStore store = new EtcdLockStore();
    store.init(metadata(etcd, Map.of()));
    return store;
  }

  @Test
  void aLockIsAKeyUnderThePrefixHoldingTheOwnerOnALease() throws Exception {
    String r = resource("layout");
    assertThat(store().tryLock(r, "owner-1", Duration.ofSeconds(30))).isTrue();
    try (var client = io.etcd.jetcd.Client.builder().endpoints("http://" + etcd.endpoint()).build()) {
      var kvs = client.getKVClient().get(EtcdSession.bytes("/layotto/" + r)).get().getKvs();
      assertThat(kvs).hasSize(1);
      assertThat(kvs.getFirst().getValue().toString(StandardCharsets.UTF_8)).isEqualTo("owner-1");
      long ttl = client.getLeaseClient().timeToLive(kvs.getFirst().getLease(),
          io.etcd.jetcd.options.LeaseOption.DEFAULT).get().getTTL();
      assertThat(ttl).isBetween(1L, 30L);
    }
    store().unlock(r, "owner-1");
  }

  @Test
  void aLockWhoseLeaseWasRevokedIsNoLongerHeldByAnyone() throws Exception {
    String r = resource("revoked");
    assertThat(store().tryLock(r, "owner-1", Duration.ofSeconds(60))).isTrue();
    try (var client = io.etcd.jetcd.Client.builder().endpoints("http://" + etcd.endpoint()).build()) {
      long lease = client.getKVClient().get(EtcdSession.bytes("/layotto/" + r)).get().getKvs().getFirst().getLease();
      client.getLeaseClient().revoke(lease).get();
    }
    // the store keeps no belief of its own: the owner learns the lock is gone, and it is free for others
    assertThat(store().keepAlive(r, "owner-1", Duration.ofSeconds(60))).isEqualTo(LockStatus.LOCK_UNEXIST);
    assertThat(store().unlock(r, "owner-1")).isEqualTo(LockStatus.LOCK_UNEXIST);
    assertThat(store().tryLock(r, "owner-2", Duration.ofSeconds(60))).isTrue();
    assertThat(store().keepAlive(r, "owner-1", Duration.ofSeconds(60))).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(store().unlock(r, "owner-2")).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  void aResourceIdTooLargeForEtcdIsInvalidArgumentAndTakesNothing() {
    String huge = resource("huge") + "x".repeat(2 * 1024 * 1024);
    ComponentException e = catchThrowableOfType(ComponentException.class,
        () -> store().tryLock(huge, "owner-1", Duration.ofSeconds(30)));
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("tryLock of resource").contains("characters").hasSizeLessThan(1_000);
    assertThat(store().checkHealth().isUp()).isTrue();
  }

  @AfterAll
  void stopEtcd() {
    etcd.close();
  }
}
