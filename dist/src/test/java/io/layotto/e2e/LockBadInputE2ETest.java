package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprLockProtos;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.LockKeepAliveRequest;
import spec.proto.runtime.v1.RuntimeProto.TryLockRequest;
import spec.proto.runtime.v1.RuntimeProto.UnlockRequest;

/**
 * Bad lock requests over the network on both APIs (generated stubs: the Dapr SDK refuses some
 * inputs before sending): each gets INVALID_ARGUMENT naming the field and value, in Layotto's check
 * order, never a stack trace; a lock backend that is down is UNAVAILABLE naming resource and store.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class LockBadInputE2ETest {

  private static final String LOCK = "lock_demo";
  private static final String RESOURCE = "e2e-lock-bad-" + UUID.randomUUID();

  private static SidecarProcess sidecar;
  private static ManagedChannel channel;

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(SidecarConfig.defaults().withComponent("lock", LOCK, "in-memory", Map.of()));
    channel = GrpcClients.channel(sidecar.grpcPort());
  }

  @AfterAll
  static void stopSidecar() {
    try {
      if (channel != null) {
        GrpcClients.close(channel);
      }
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
    }
  }

  private static RuntimeGrpc.RuntimeBlockingStub layotto(ManagedChannel channel) {
    return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static DaprGrpc.DaprBlockingStub dapr(ManagedChannel channel) {
    return DaprGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static TryLockRequest tryLock(String store, String resource, String owner, int expire) {
    return TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner)
        .setExpire(expire).build();
  }

  private static DaprLockProtos.TryLockRequest daprTryLock(String store, String resource, String owner, int expire) {
    return DaprLockProtos.TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(owner).setExpiryInSeconds(expire).build();
  }

  @Test
  void emptyFieldsAreInvalidArgumentNamingTheField() {
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock(LOCK, "", "o", 10)),
        "ResourceId is empty in lock store " + LOCK, "resource_id");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock(LOCK, RESOURCE, "", 10)),
        "LockOwner is empty", "lock_owner");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).unlock(UnlockRequest.newBuilder()
        .setStoreName(LOCK).setLockOwner("o").build()), "resource_id");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock("", RESOURCE, "o", 10)),
        "store_name is empty", LOCK);
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr(channel).tryLockAlpha1(daprTryLock(LOCK, "", "o", 10)),
        "resource_id");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr(channel).unlockAlpha1(DaprLockProtos.UnlockRequest.newBuilder()
        .setStoreName(LOCK).setResourceId(RESOURCE).build()), "lock_owner");
  }

  @Test
  void badExpiriesAreInvalidArgumentNamingFieldAndValue() {
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock(LOCK, RESOURCE, "o", 0)),
        "Expire is not positive in lock store " + LOCK, "expire is 0");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock(LOCK, RESOURCE, "o", -7)),
        "expire is -7");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).tryLock(tryLock(LOCK, RESOURCE, "o", Integer.MAX_VALUE)),
        "expire is 2147483647 seconds", "at most 31536000");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).lockKeepAlive(LockKeepAliveRequest.newBuilder()
        .setStoreName(LOCK).setResourceId(RESOURCE).setLockOwner("o").setExpire(-1).build()), "expire is -1");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr(channel).tryLockAlpha1(daprTryLock(LOCK, RESOURCE, "o", 0)),
        "expiry_in_seconds is 0");
  }

  @Test
  void unknownStoresAndMalformedResourceIdsAreInvalidArgument() {
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock("nope", RESOURCE, "o", 10)),
        "lock store nope not found", LOCK);
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr(channel).tryLockAlpha1(daprTryLock("nope", RESOURCE, "o", 10)),
        "lock store nope not found");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> layotto(channel).tryLock(tryLock(LOCK, "a||b", "o", 10)),
        "resource_id is 'a||b'", "||");
    // none of the rejected calls took the lock
    assertThat(layotto(channel).tryLock(tryLock(LOCK, RESOURCE, "o", 10)).getSuccess()).isTrue();
    assertThat(layotto(channel).unlock(UnlockRequest.newBuilder().setStoreName(LOCK).setResourceId(RESOURCE)
        .setLockOwner("o").build()).getStatusValue()).isZero();
  }

  @Test
  void lockBackendDownIsUnavailableNamingResourceAndStore() {
    String fragile = "fragile_lock";
    try (RedisServerProcess privateRedis = RedisServerProcess.startOnFreePort();
        SidecarProcess own = SidecarProcess.start(SidecarConfig.defaults()
            .withComponent("lock", LOCK, "in-memory", Map.of())
            .withComponent("lock", fragile, "redis", Map.of("redisHost", "127.0.0.1:" + privateRedis.port())))) {
      ManagedChannel ownChannel = GrpcClients.channel(own.grpcPort());
      try {
        assertThat(layotto(ownChannel).tryLock(tryLock(fragile, RESOURCE, "o", 30)).getSuccess()).isTrue();
        privateRedis.kill();
        assertFailsWith(Code.UNAVAILABLE, () -> layotto(ownChannel).tryLock(tryLock(fragile, RESOURCE, "p", 30)),
            "TryLock of resource '" + RESOURCE + "'", fragile);
        assertFailsWith(Code.UNAVAILABLE, () -> dapr(ownChannel).unlockAlpha1(DaprLockProtos.UnlockRequest.newBuilder()
            .setStoreName(fragile).setResourceId(RESOURCE).setLockOwner("o").build()), fragile);
        assertThat(layotto(ownChannel).tryLock(tryLock(LOCK, RESOURCE, "o", 30)).getSuccess())
            .as("the other lock store keeps serving").isTrue();
        own.stop();
      } finally {
        GrpcClients.close(ownChannel);
      }
    }
  }
}
