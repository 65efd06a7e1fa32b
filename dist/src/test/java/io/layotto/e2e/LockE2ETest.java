package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprPreviewClient;
import io.dapr.client.domain.LockRequest;
import io.dapr.client.domain.UnlockRequest;
import io.dapr.client.domain.UnlockResponseStatus;
import io.dapr.config.Properties;
import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;
import spec.proto.runtime.v1.RuntimeProto.LockKeepAliveRequest;
import spec.proto.runtime.v1.RuntimeProto.LockKeepAliveResponse;
import spec.proto.runtime.v1.RuntimeProto.TryLockRequest;
import spec.proto.runtime.v1.RuntimeProto.UnlockResponse;

/**
 * The lock API through the real sidecar: the official Dapr Java SDK ({@code DaprPreviewClient}
 * tryLock/unlock) and a grpc-java client on Layotto's protos, over an in-memory lock store and a
 * Redis one on the shared server (random resource ids). Both clients share one lock, and the Redis
 * key is laid out as Layotto lays it out.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class LockE2ETest {

  private static final String IN_MEMORY = "lock_demo";
  private static final String REDIS = "redis_lock";
  private static final String APP_ID = "e2e-lock-app";
  private static final String PREFIX = "e2e-lock-" + UUID.randomUUID() + "-";

  private static SidecarProcess sidecar;
  private static DaprPreviewClient dapr;
  private static ManagedChannel channel;

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(SidecarConfig.defaults().withAppId(APP_ID)
        .withComponent("lock", IN_MEMORY, "in-memory", Map.of())
        .withComponent("lock", REDIS, "redis", Map.of("redisHost", "127.0.0.1:6379", "redisPassword", "")));
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .buildPreviewClient();
    channel = GrpcClients.channel(sidecar.grpcPort());
  }

  @AfterAll
  static void stopSidecar() throws Exception {
    try {
      if (dapr != null) {
        dapr.close();
      }
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

  private static RuntimeGrpc.RuntimeBlockingStub layotto() {
    return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean daprTryLock(String store, String resource, String owner, int seconds) {
    return dapr.tryLock(new LockRequest(store, resource, owner, seconds)).block(Duration.ofSeconds(20));
  }

  private static UnlockResponseStatus daprUnlock(String store, String resource, String owner) {
    return dapr.unlock(new UnlockRequest(store, resource, owner)).block(Duration.ofSeconds(20));
  }

  private static boolean layottoTryLock(String store, String resource, String owner, int seconds) {
    return layotto().tryLock(TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(owner).setExpire(seconds).build()).getSuccess();
  }

  private static UnlockResponse.Status layottoUnlock(String store, String resource, String owner) {
    return layotto().unlock(RuntimeProto.UnlockRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(owner).build()).getStatus();
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void daprSdkTakesRefusesAndReleasesLocks(String store) {
    String resource = PREFIX + "dapr-" + store;
    String me = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();

    assertThat(daprTryLock(store, resource, me, 30)).isTrue();
    assertThat(daprTryLock(store, resource, other, 30)).as("held by me").isFalse();
    assertThat(daprUnlock(store, resource, other)).isEqualTo(UnlockResponseStatus.LOCK_BELONG_TO_OTHERS);
    assertThat(daprUnlock(store, resource, me)).isEqualTo(UnlockResponseStatus.SUCCESS);
    assertThat(daprUnlock(store, resource, me)).isEqualTo(UnlockResponseStatus.LOCK_UNEXIST);
    assertThat(daprTryLock(store, resource, other, 30)).as("free again").isTrue();
    assertThat(daprUnlock(store, resource, other)).isEqualTo(UnlockResponseStatus.SUCCESS);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void layottoClientKeepsALockAliveAndSharesItWithDaprClients(String store) {
    String resource = PREFIX + "layotto-" + store;
    String me = UUID.randomUUID().toString();

    assertThat(layottoTryLock(store, resource, me, 2)).isTrue();
    assertThat(daprTryLock(store, resource, "dapr-" + me, 30)).as("taken through the other API").isFalse();
    assertThat(layotto().lockKeepAlive(LockKeepAliveRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner(me).setExpire(30).build()).getStatus()).isEqualTo(LockKeepAliveResponse.Status.SUCCESS);
    assertThat(layotto().lockKeepAlive(LockKeepAliveRequest.newBuilder().setStoreName(store).setResourceId(resource)
        .setLockOwner("someone-else").setExpire(30).build()).getStatus())
        .isEqualTo(LockKeepAliveResponse.Status.LOCK_BELONG_TO_OTHERS);
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(layottoTryLock(store, resource, "late", 30))
            .as("3 s later the extended lease still holds").isFalse());
    assertThat(layottoUnlock(store, resource, "someone-else")).isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(daprUnlock(store, resource, me)).as("released through the other API")
        .isEqualTo(UnlockResponseStatus.SUCCESS);
    assertThat(layottoUnlock(store, resource, me)).isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void anExpiredLockIsFreeForTheNextOwner(String store) {
    String resource = PREFIX + "ttl-" + store;
    assertThat(layottoTryLock(store, resource, "first", 1)).isTrue();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> daprTryLock(store, resource, "second", 30));
    assertThat(layottoUnlock(store, resource, "first")).isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(daprUnlock(store, resource, "second")).isEqualTo(UnlockResponseStatus.SUCCESS);
  }

  @Test
  void redisKeysAreLaidOutAsLayottoDoes() {
    String resource = PREFIX + "layout";
    assertThat(layottoTryLock(REDIS, resource, "owner-x", 30)).isTrue();
    try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        StatefulRedisConnection<String, String> redis = client.connect()) {
      String key = "lock|||" + APP_ID + "||" + resource;
      assertThat(redis.sync().get(key)).isEqualTo("owner-x");
      assertThat(redis.sync().pttl(key)).isBetween(1L, 30_000L);
      // a lock a Layotto (Go) sidecar of the same app took is respected
      String goResource = PREFIX + "from-go";
      redis.sync().set("lock|||" + APP_ID + "||" + goResource, "go-owner",
          io.lettuce.core.SetArgs.Builder.px(30_000));
      assertThat(daprTryLock(REDIS, goResource, "java-owner", 30)).isFalse();
      assertThat(layottoUnlock(REDIS, goResource, "go-owner")).isEqualTo(UnlockResponse.Status.SUCCESS);
      assertThat(redis.sync().exists("lock|||" + APP_ID + "||" + goResource)).isZero();
    } finally {
      layottoUnlock(REDIS, resource, "owner-x");
    }
  }

  @Test
  void lockStoresAreReportedByTheActuatorAndGetMetadata() throws Exception {
    assertThat(sidecar.info().body()).contains(IN_MEMORY).contains(REDIS).contains("\"lock\"");
    assertThat(sidecar.readiness().body()).contains(REDIS);
    try (DaprClient client = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .build()) {
      assertThat(client.getMetadata().block(Duration.ofSeconds(20)).getComponents()).anySatisfy(c -> {
        assertThat(c.getName()).isEqualTo(REDIS);
        assertThat(c.getType()).isEqualTo("lock.redis");
      });
    }
  }
}
