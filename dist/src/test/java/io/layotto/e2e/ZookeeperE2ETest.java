package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.LockKeepAliveRequest;
import spec.proto.runtime.v1.RuntimeProto.LockKeepAliveResponse;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions.AutoIncrement;
import spec.proto.runtime.v1.RuntimeProto.TryLockRequest;
import spec.proto.runtime.v1.RuntimeProto.UnlockResponse;

/**
 * The {@code zookeeper} lock store and sequencer through a real sidecar, configured in its config
 * file against an in-process ZooKeeper server: Dapr SDK and Layotto gRPC locks, keep-alive and
 * expiry, STRONG and WEAK ids with {@code biggerThan}, and ids continuing in a second sidecar.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class ZookeeperE2ETest {

  private static final String LOCK = "zk_lock";
  private static final String SEQ = "zk_seq";
  private static final long BIGGER_THAN = 7_000_000L;

  private static TestingServer zookeeper;
  private static SidecarProcess sidecar;
  private static ManagedChannel channel;
  private static DaprPreviewClient dapr;

  static SidecarConfig config() {
    Map<String, String> metadata = Map.of("zookeeperHosts", zookeeper.getConnectString(), "sessionTimeout", "20s");
    Map<String, String> seqMetadata = new java.util.HashMap<>(metadata);
    seqMetadata.put("segmentSize", "50");
    return SidecarConfig.defaults().withAppId("e2e-zk")
        .withComponent("lock", LOCK, "zookeeper", metadata)
        .withSequencer(SEQ, "zookeeper", seqMetadata, Map.of("configured", BIGGER_THAN));
  }

  @BeforeAll
  static void start() throws Exception {
    zookeeper = new TestingServer(true);
    sidecar = SidecarProcess.start(config());
    channel = GrpcClients.channel(sidecar.grpcPort());
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .buildPreviewClient();
  }

  @AfterAll
  static void stop() throws Exception {
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
      if (zookeeper != null) {
        zookeeper.close();
      }
    }
  }

  private static RuntimeGrpc.RuntimeBlockingStub layotto(ManagedChannel on) {
    return RuntimeGrpc.newBlockingStub(on).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean tryLock(String resource, String owner, int seconds) {
    return layotto(channel).tryLock(TryLockRequest.newBuilder().setStoreName(LOCK).setResourceId(resource)
        .setLockOwner(owner).setExpire(seconds).build()).getSuccess();
  }

  private static UnlockResponse.Status unlock(String resource, String owner) {
    return layotto(channel).unlock(RuntimeProto.UnlockRequest.newBuilder().setStoreName(LOCK)
        .setResourceId(resource).setLockOwner(owner).build()).getStatus();
  }

  private static long next(ManagedChannel on, String key, AutoIncrement increment) {
    return layotto(on).getNextId(GetNextIdRequest.newBuilder().setStoreName(SEQ).setKey(key)
        .setOptions(SequencerOptions.newBuilder().setIncrement(increment)).build()).getNextId();
  }

  @Test
  void daprSdkAndLayottoClientsShareZookeeperLocks() {
    String resource = "order-" + UUID.randomUUID();
    assertThat(dapr.tryLock(new LockRequest(LOCK, resource, "dapr-owner", 30)).block(Duration.ofSeconds(20))).isTrue();
    assertThat(tryLock(resource, "layotto-owner", 30)).as("held through the Dapr API").isFalse();
    assertThat(unlock(resource, "layotto-owner")).isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(dapr.unlock(new UnlockRequest(LOCK, resource, "dapr-owner")).block(Duration.ofSeconds(20)))
        .isEqualTo(UnlockResponseStatus.SUCCESS);
    assertThat(unlock(resource, "dapr-owner")).isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);
    assertThat(tryLock(resource, "layotto-owner", 30)).isTrue();
    assertThat(unlock(resource, "layotto-owner")).isEqualTo(UnlockResponse.Status.SUCCESS);
  }

  @Test
  void keepAliveExtendsAndExpiryFrees() {
    String kept = "kept-" + UUID.randomUUID();
    assertThat(tryLock(kept, "me", 2)).isTrue();
    assertThat(layotto(channel).lockKeepAlive(LockKeepAliveRequest.newBuilder().setStoreName(LOCK)
        .setResourceId(kept).setLockOwner("me").setExpire(60).build()).getStatus())
        .isEqualTo(LockKeepAliveResponse.Status.SUCCESS);
    String expiring = "expiring-" + UUID.randomUUID();
    assertThat(tryLock(expiring, "me", 1)).isTrue();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> tryLock(expiring, "you", 30));
    assertThat(tryLock(kept, "you", 30)).as("the kept lock outlived its 2 s lease").isFalse();
    assertThat(unlock(kept, "me")).isEqualTo(UnlockResponse.Status.SUCCESS);
  }

  @Test
  void idsIncreaseHonourBiggerThanAndContinueInAnotherSidecar() {
    String key = "ids-" + UUID.randomUUID();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(next(channel, key, AutoIncrement.STRONG));
    }
    assertThat(ids).containsExactly(1L, 2L, 3L);
    long weak = next(channel, key, AutoIncrement.WEAK);
    assertThat(weak).isGreaterThan(3L);
    assertThat(next(channel, key, AutoIncrement.WEAK)).isEqualTo(weak + 1);
    assertThat(next(channel, "configured", AutoIncrement.STRONG)).isGreaterThan(BIGGER_THAN);

    try (SidecarProcess second = SidecarProcess.start(config())) {
      ManagedChannel other = GrpcClients.channel(second.grpcPort());
      try {
        assertThat(next(other, key, AutoIncrement.STRONG)).as("above the first sidecar's WEAK segment")
            .isGreaterThan(weak + 1);
      } finally {
        GrpcClients.close(other);
      }
      second.stop();
    }
  }

  /** Calls in flight together share ZooKeeper updates in each sidecar; across both, no id twice. */
  @Test
  void concurrentStrongCallsThroughTwoSidecarsAllGetUniqueIds() throws Exception {
    String key = "burst-" + UUID.randomUUID().toString().substring(0, 8);
    try (SidecarProcess second = SidecarProcess.start(config())) {
      ManagedChannel other = GrpcClients.channel(second.grpcPort());
      try {
        List<com.google.common.util.concurrent.ListenableFuture<RuntimeProto.GetNextIdResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
          calls.add(RuntimeGrpc.newFutureStub(i % 2 == 0 ? channel : other)
              .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
              .getNextId(GetNextIdRequest.newBuilder().setStoreName(SEQ).setKey(key)
                  .setOptions(SequencerOptions.newBuilder().setIncrement(AutoIncrement.STRONG)).build()));
        }
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (var call : calls) {
          ids.add(call.get(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).getNextId());
        }
        assertThat(ids).as("distinct ids of 400 calls").hasSize(400);
        long max = ids.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(next(channel, key, AutoIncrement.STRONG)).isGreaterThan(max);
        assertThat(next(other, key, AutoIncrement.STRONG)).isGreaterThan(max);
      } finally {
        GrpcClients.close(other);
      }
      second.stop();
    }
  }
}
