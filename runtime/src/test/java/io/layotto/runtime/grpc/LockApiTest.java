package io.layotto.runtime.grpc;

import static io.layotto.runtime.grpc.StateApiContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprLockProtos;
import io.grpc.Status;
import io.layotto.components.inmemory.InMemoryLockStoreFactory;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** The lock rpcs of both services over the real in-memory lock store: semantics, key layout, bad input. */
class LockApiTest {

  private final Map<String, LockStore> stores = new HashMap<>();
  private InProcessApi api;
  private RuntimeGrpc.RuntimeBlockingStub layotto;
  private DaprGrpc.DaprBlockingStub dapr;

  private void start(String appId, Map<String, String> keyPrefixes, String... storeNames) {
    for (String name : storeNames) {
      LockStore store = new InMemoryLockStoreFactory().create();
      store.init(new Metadata(name, Map.of()));
      stores.put(name, store);
    }
    api = new InProcessApi(new LoadedComponents(appId, Map.of(), Map.of(), Map.of(), List.of(), Map.of(), Map.of(),
        stores, keyPrefixes));
    layotto = RuntimeGrpc.newBlockingStub(api.channel);
    dapr = DaprGrpc.newBlockingStub(api.channel);
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    stores.values().forEach(LockStore::close);
  }

  private boolean tryLock(String store, String resource, String owner, int expire) {
    return layotto.tryLock(RuntimeProto.TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(owner).setExpire(expire).build()).getSuccess();
  }

  private RuntimeProto.UnlockResponse.Status unlock(String store, String resource, String owner) {
    return layotto.unlock(RuntimeProto.UnlockRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(owner).build()).getStatus();
  }

  private RuntimeProto.LockKeepAliveResponse.Status keepAlive(String store, String resource, String owner,
      int expire) {
    return layotto.lockKeepAlive(RuntimeProto.LockKeepAliveRequest.newBuilder().setStoreName(store)
        .setResourceId(resource).setLockOwner(owner).setExpire(expire).build()).getStatus();
  }

  @Test
  void layottoAndDaprClientsShareOneLock() {
    start("app", Map.of(), "lock_demo");
    assertThat(tryLock("lock_demo", "order-1", "layotto-owner", 30)).isTrue();
    assertThat(dapr.tryLockAlpha1(DaprLockProtos.TryLockRequest.newBuilder().setStoreName("lock_demo")
        .setResourceId("order-1").setLockOwner("dapr-owner").setExpiryInSeconds(30).build()).getSuccess()).isFalse();
    assertThat(dapr.unlockAlpha1(DaprLockProtos.UnlockRequest.newBuilder().setStoreName("lock_demo")
        .setResourceId("order-1").setLockOwner("dapr-owner").build()).getStatus())
        .isEqualTo(DaprLockProtos.UnlockResponse.Status.LOCK_BELONGS_TO_OTHERS);
    assertThat(unlock("lock_demo", "order-1", "layotto-owner")).isEqualTo(RuntimeProto.UnlockResponse.Status.SUCCESS);
    assertThat(dapr.unlockAlpha1(DaprLockProtos.UnlockRequest.newBuilder().setStoreName("lock_demo")
        .setResourceId("order-1").setLockOwner("layotto-owner").build()).getStatus())
        .isEqualTo(DaprLockProtos.UnlockResponse.Status.LOCK_DOES_NOT_EXIST);
    assertThat(dapr.tryLockAlpha1(DaprLockProtos.TryLockRequest.newBuilder().setStoreName("lock_demo")
        .setResourceId("order-1").setLockOwner("dapr-owner").setExpiryInSeconds(30).build()).getSuccess()).isTrue();
  }

  @Test
  void unlockAndKeepAliveReportEveryStatus() {
    start("app", Map.of(), "lock_demo");
    assertThat(unlock("lock_demo", "r", "a")).isEqualTo(RuntimeProto.UnlockResponse.Status.LOCK_UNEXIST);
    assertThat(keepAlive("lock_demo", "r", "a", 10)).isEqualTo(RuntimeProto.LockKeepAliveResponse.Status.LOCK_UNEXIST);
    assertThat(tryLock("lock_demo", "r", "a", 10)).isTrue();
    assertThat(tryLock("lock_demo", "r", "a", 10)).as("not re-entrant").isFalse();
    assertThat(keepAlive("lock_demo", "r", "b", 10))
        .isEqualTo(RuntimeProto.LockKeepAliveResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(keepAlive("lock_demo", "r", "a", 10)).isEqualTo(RuntimeProto.LockKeepAliveResponse.Status.SUCCESS);
    assertThat(unlock("lock_demo", "r", "b")).isEqualTo(RuntimeProto.UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(unlock("lock_demo", "r", "a")).isEqualTo(RuntimeProto.UnlockResponse.Status.SUCCESS);
  }

  @Test
  void resourceIdsAreStoredUnderLayottosLockPrefixWithTheAppIdByDefault() {
    start("app1", Map.of("by_name", "name", "bare", "none", "literal", "team-x"), "lock_demo", "by_name", "bare",
        "literal");
    assertThat(tryLock("lock_demo", "r", "a", 30)).isTrue();
    assertThat(tryLock("by_name", "r", "a", 30)).isTrue();
    assertThat(tryLock("bare", "r", "a", 30)).isTrue();
    assertThat(tryLock("literal", "r", "a", 30)).isTrue();
    assertThat(stores.get("lock_demo").unlock("lock|||app1||r", "a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(stores.get("by_name").unlock("lock|||by_name||r", "a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(stores.get("bare").unlock("lock|||r", "a")).isEqualTo(LockStatus.SUCCESS);
    assertThat(stores.get("literal").unlock("lock|||team-x||r", "a")).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  void withoutAnAppIdTheAppidStrategyStoresTheBareResource() {
    start("", Map.of(), "lock_demo");
    assertThat(tryLock("lock_demo", "r", "a", 30)).isTrue();
    assertThat(stores.get("lock_demo").unlock("lock|||r", "a")).isEqualTo(LockStatus.SUCCESS);
  }

  @Test
  void noLockStoreConfiguredIsFailedPrecondition() {
    start("app", Map.of());
    assertFails(() -> tryLock("lock_demo", "r", "a", 10), Status.Code.FAILED_PRECONDITION,
        "lock store is not configured");
    assertFails(() -> unlock("lock_demo", "r", "a"), Status.Code.FAILED_PRECONDITION, "lock store is not configured");
    assertFails(() -> dapr.tryLockAlpha1(DaprLockProtos.TryLockRequest.getDefaultInstance()),
        Status.Code.FAILED_PRECONDITION, "lock store is not configured");
  }

  @Test
  void badInputIsInvalidArgumentNamingTheField() {
    start("app", Map.of(), "lock_demo");
    assertFails(() -> tryLock("lock_demo", "", "a", 10), Status.Code.INVALID_ARGUMENT,
        "ResourceId is empty in lock store lock_demo", "resource_id");
    assertFails(() -> tryLock("lock_demo", "r", "", 10), Status.Code.INVALID_ARGUMENT,
        "LockOwner is empty in lock store lock_demo", "lock_owner");
    assertFails(() -> tryLock("lock_demo", "r", "a", 0), Status.Code.INVALID_ARGUMENT,
        "Expire is not positive in lock store lock_demo", "expire is 0");
    assertFails(() -> tryLock("lock_demo", "r", "a", -5), Status.Code.INVALID_ARGUMENT, "expire is -5");
    assertFails(() -> tryLock("lock_demo", "r", "a", Integer.MAX_VALUE), Status.Code.INVALID_ARGUMENT,
        "Expire is too large", "expire is 2147483647 seconds", "at most 31536000");
    assertFails(() -> keepAlive("lock_demo", "r", "a", 0), Status.Code.INVALID_ARGUMENT, "expire is 0");
    assertFails(() -> dapr.tryLockAlpha1(DaprLockProtos.TryLockRequest.newBuilder().setStoreName("lock_demo")
        .setResourceId("r").setLockOwner("a").setExpiryInSeconds(-1).build()), Status.Code.INVALID_ARGUMENT,
        "expiry_in_seconds is -1");
    assertFails(() -> tryLock("", "r", "a", 10), Status.Code.INVALID_ARGUMENT, "store_name is empty", "[lock_demo]");
    assertFails(() -> tryLock("nope", "r", "a", 10), Status.Code.INVALID_ARGUMENT, "lock store nope not found",
        "[lock_demo]");
    assertFails(() -> unlock("nope", "r", "a"), Status.Code.INVALID_ARGUMENT, "lock store nope not found");
    assertFails(() -> tryLock("lock_demo", "a||b", "a", 10), Status.Code.INVALID_ARGUMENT,
        "resource_id is 'a||b'", "'||'");
    assertFails(() -> unlock("lock_demo", "r", ""), Status.Code.INVALID_ARGUMENT, "LockOwner is empty");
    // Layotto's order: the request's own fields are checked before the store name
    assertFails(() -> tryLock("nope", "", "a", 10), Status.Code.INVALID_ARGUMENT, "ResourceId is empty");
    assertThat(tryLock("lock_demo", "r", "a", 10)).as("nothing was taken by the rejected calls").isTrue();
  }

  @Test
  void componentFailuresKeepTheirKindAndNameTheResourceAndStore() {
    stores.put("flaky", new FailingLockStore());
    start("app", Map.of());
    assertFails(() -> tryLock("flaky", "r", "a", 10), Status.Code.UNAVAILABLE,
        "TryLock of resource 'r' in lock store 'flaky'", "backend down");
    assertFails(() -> unlock("flaky", "r", "a"), Status.Code.UNAVAILABLE, "Unlock of resource 'r'");
    assertFails(() -> keepAlive("flaky", "r", "a", 5), Status.Code.UNIMPLEMENTED, "LockKeepAlive", "keep-alive");
  }

  /** A store whose backend is down and which has no keep-alive. */
  private static final class FailingLockStore implements LockStore {
    @Override
    public Set<LockFeature> features() {
      return Set.of();
    }

    @Override
    public void init(Metadata metadata) {}

    @Override
    public boolean tryLock(String resourceId, String owner, Duration ttl) {
      throw ComponentException.unavailable("backend down", null);
    }

    @Override
    public LockStatus unlock(String resourceId, String owner) {
      throw ComponentException.unavailable("backend down", null);
    }

    @Override
    public void close() {}
  }
}
