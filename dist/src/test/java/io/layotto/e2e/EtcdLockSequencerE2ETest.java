package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprPreviewClient;
import io.dapr.client.domain.LockRequest;
import io.dapr.client.domain.UnlockRequest;
import io.dapr.client.domain.UnlockResponseStatus;
import io.dapr.config.Properties;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.EtcdServerProcess;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * The etcd lock store and sequencer through two real sidecars of one app sharing a private etcd:
 * a grpc-java client on Layotto's protos and the Dapr Java SDK take, refuse, extend and release one
 * lock across sidecars; ids are unique and increasing across both, WEAK and STRONG, with
 * {@code biggerThan} from the config file.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class EtcdLockSequencerE2ETest {

  private static final String LOCK = "etcd_lock";
  private static final String SEQ = "etcd_seq";
  private static final String APP_ID = "e2e-etcd-" + UUID.randomUUID().toString().substring(0, 8);
  private static final long BIGGER_THAN = 7_000_000L;

  private static EtcdServerProcess etcd;
  private static SidecarProcess first;
  private static SidecarProcess second;
  private static ManagedChannel firstChannel;
  private static ManagedChannel secondChannel;
  private static DaprPreviewClient dapr;

  @BeforeAll
  static void start() {
    etcd = EtcdServerProcess.startOnFreePorts();
    SidecarConfig config = SidecarConfig.defaults().withAppId(APP_ID)
        .withComponent("lock", LOCK, "etcd", Map.of("endpoints", etcd.endpoint()))
        .withSequencer(SEQ, "etcd", Map.of("endpoints", etcd.endpoint(), "segmentSize", "50"),
            Map.of("configured", BIGGER_THAN));
    first = SidecarProcess.start(config);
    second = SidecarProcess.start(config);
    firstChannel = GrpcClients.channel(first.grpcPort());
    secondChannel = GrpcClients.channel(second.grpcPort());
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(second.grpcPort()))
        .buildPreviewClient();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (dapr != null) {
        dapr.close();
      }
      for (ManagedChannel c : new ManagedChannel[] {firstChannel, secondChannel}) {
        if (c != null) {
          GrpcClients.close(c);
        }
      }
      for (SidecarProcess s : new SidecarProcess[] {first, second}) {
        if (s != null) {
          s.stop();
        }
      }
    } finally {
      for (SidecarProcess s : new SidecarProcess[] {first, second}) {
        if (s != null) {
          s.close();
        }
      }
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  private static RuntimeGrpc.RuntimeBlockingStub runtime(ManagedChannel on) {
    return RuntimeGrpc.newBlockingStub(on).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean tryLock(ManagedChannel on, String resource, String owner, int seconds) {
    return runtime(on).tryLock(TryLockRequest.newBuilder().setStoreName(LOCK).setResourceId(resource)
        .setLockOwner(owner).setExpire(seconds).build()).getSuccess();
  }

  private static UnlockResponse.Status unlock(ManagedChannel on, String resource, String owner) {
    return runtime(on).unlock(RuntimeProto.UnlockRequest.newBuilder().setStoreName(LOCK).setResourceId(resource)
        .setLockOwner(owner).build()).getStatus();
  }

  private static long next(ManagedChannel on, String key, AutoIncrement increment) {
    return runtime(on).getNextId(GetNextIdRequest.newBuilder().setStoreName(SEQ).setKey(key)
        .setOptions(SequencerOptions.newBuilder().setIncrement(increment)).build()).getNextId();
  }

  @Test
  void oneLockIsSharedByBothSidecarsAndBothApis() throws Exception {
    String resource = "order-" + UUID.randomUUID();
    assertThat(tryLock(firstChannel, resource, "alice", 2)).isTrue();
    assertThat(tryLock(secondChannel, resource, "bob", 30)).as("held through the other sidecar").isFalse();
    assertThat(dapr.tryLock(new LockRequest(LOCK, resource, "carol", 30)).block(Duration.ofSeconds(20))).isFalse();
    assertThat(unlock(secondChannel, resource, "bob")).isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
    assertThat(runtime(firstChannel).lockKeepAlive(LockKeepAliveRequest.newBuilder().setStoreName(LOCK)
        .setResourceId(resource).setLockOwner("alice").setExpire(30).build()).getStatus())
        .isEqualTo(LockKeepAliveResponse.Status.SUCCESS);

    // laid out as Layotto's etcd lock: <keyPrefixPath>lock|||<app>||<resource> holding the owner
    try (Client client = Client.builder().endpoints("http://" + etcd.endpoint()).build()) {
      var kvs = client.getKVClient().get(ByteSequence.from("/layotto/lock|||" + APP_ID + "||" + resource,
          StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS).getKvs();
      assertThat(kvs).hasSize(1);
      assertThat(kvs.getFirst().getValue().toString(StandardCharsets.UTF_8)).isEqualTo("alice");
    }
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(tryLock(secondChannel, resource, "bob", 30)).as("3 s later the extended lease holds").isFalse());
    assertThat(dapr.unlock(new UnlockRequest(LOCK, resource, "alice")).block(Duration.ofSeconds(20)))
        .as("released by its owner through the Dapr API of the other sidecar").isEqualTo(UnlockResponseStatus.SUCCESS);
    assertThat(unlock(firstChannel, resource, "alice")).isEqualTo(UnlockResponse.Status.LOCK_UNEXIST);
    assertThat(tryLock(secondChannel, resource, "bob", 1)).isTrue();
    await("bob's 1 s lock to expire").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> tryLock(firstChannel, resource, "dave", 30));
    assertThat(unlock(firstChannel, resource, "dave")).isEqualTo(UnlockResponse.Status.SUCCESS);
  }

  @Test
  void idsAreUniqueAndIncreasingAcrossBothSidecars() {
    String key = "ids-" + UUID.randomUUID().toString().substring(0, 8);
    List<Long> strong = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      strong.add(next(i % 2 == 0 ? firstChannel : secondChannel, key, AutoIncrement.STRONG));
    }
    assertThat(strong).as("STRONG ids alternating between the sidecars").isSorted().doesNotHaveDuplicates();
    assertThat(strong.getFirst()).isEqualTo(1L);

    Set<Long> all = new HashSet<>(strong);
    List<Long> weakFirst = new ArrayList<>();
    List<Long> weakSecond = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      weakFirst.add(next(firstChannel, key, AutoIncrement.WEAK));
      weakSecond.add(next(secondChannel, key, AutoIncrement.WEAK));
    }
    assertThat(weakFirst).isSorted().doesNotHaveDuplicates();
    assertThat(weakSecond).isSorted().doesNotHaveDuplicates();
    all.addAll(weakFirst);
    all.addAll(weakSecond);
    assertThat(all).as("no id handed out twice").hasSize(strong.size() + weakFirst.size() + weakSecond.size());
    assertThat(weakFirst.getFirst()).isGreaterThan(strong.getLast());
    assertThat(next(secondChannel, key, AutoIncrement.STRONG)).isGreaterThan(strong.getLast());
  }

  /**
   * Many STRONG calls in flight at once on one key through both sidecars (each sidecar serves the
   * calls queued behind its transaction with one compare-and-swap): every call gets an id, no id
   * twice, and an id asked for afterwards is above them all.
   */
  @Test
  void concurrentStrongCallsThroughBothSidecarsAllGetUniqueIds() throws Exception {
    String key = "burst-" + UUID.randomUUID().toString().substring(0, 8);
    List<com.google.common.util.concurrent.ListenableFuture<RuntimeProto.GetNextIdResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      calls.add(RuntimeGrpc.newFutureStub(i % 2 == 0 ? firstChannel : secondChannel)
          .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .getNextId(GetNextIdRequest.newBuilder().setStoreName(SEQ).setKey(key)
              .setOptions(SequencerOptions.newBuilder().setIncrement(AutoIncrement.STRONG)).build()));
    }
    Set<Long> ids = new HashSet<>();
    for (var call : calls) {
      ids.add(call.get(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS).getNextId());
    }
    assertThat(ids).as("distinct ids of 400 calls").hasSize(400);
    long max = ids.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(next(firstChannel, key, AutoIncrement.STRONG)).isGreaterThan(max);
    assertThat(next(secondChannel, key, AutoIncrement.STRONG)).isGreaterThan(max);
  }

  @Test
  void biggerThanFromTheConfigFileIsHonoured() {
    assertThat(next(firstChannel, "configured", AutoIncrement.STRONG)).isGreaterThan(BIGGER_THAN);
    assertThat(next(secondChannel, "configured", AutoIncrement.WEAK)).isGreaterThan(BIGGER_THAN);
  }

  @Test
  void bothComponentsAreReportedByTheActuator() {
    assertThat(first.info().body()).contains(LOCK).contains(SEQ);
    assertThat(first.readiness().body()).contains(LOCK).contains(SEQ);
  }
}
