package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.v1.CommonProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprStateProtos;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.DeleteStateRequest;
import spec.proto.runtime.v1.RuntimeProto.Etag;
import spec.proto.runtime.v1.RuntimeProto.GetStateRequest;
import spec.proto.runtime.v1.RuntimeProto.SaveStateRequest;
import spec.proto.runtime.v1.RuntimeProto.SayHelloRequest;
import spec.proto.runtime.v1.RuntimeProto.StateItem;

/**
 * Issue part 9 through real gRPC clients over the network, on both APIs the sidecar serves (Layotto's
 * {@code Runtime} and Dapr's {@code Dapr}; the Dapr SDK itself refuses empty names before sending, so
 * the generated Dapr stub is used here): each bad input gets its precise status, a description naming
 * the field and value, and never a stack trace.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class BadInputE2ETest {

  private static final String IN_MEMORY = "mem_store";
  private static final String REDIS = "redis_store";
  private static final String KEY = "e2e-bad-" + UUID.randomUUID();

  private static SidecarProcess sidecar;
  private static ManagedChannel channel;

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(SidecarConfig.defaults().withInMemoryStore(IN_MEMORY).withRedisStore(REDIS, 6379));
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

  private static SaveStateRequest layottoSave(String store, String key, ByteString value) {
    return SaveStateRequest.newBuilder().setStoreName(store)
        .addStates(StateItem.newBuilder().setKey(key).setValue(value)).build();
  }

  private static DaprStateProtos.SaveStateRequest daprSave(String store, String key, ByteString value) {
    return DaprStateProtos.SaveStateRequest.newBuilder().setStoreName(store)
        .addStates(CommonProtos.StateItem.newBuilder().setKey(key).setValue(value)).build();
  }

  @Test
  void emptyStoreNameIsInvalidArgumentNamingTheField() {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).getState(GetStateRequest.newBuilder().setKey(KEY).build()), "store_name");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).saveState(layottoSave("", KEY, ByteString.copyFromUtf8("v"))), "store_name");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> dapr(channel).getState(DaprStateProtos.GetStateRequest.newBuilder().setKey(KEY).build()), "store_name");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> dapr(channel).saveState(daprSave("", KEY, ByteString.copyFromUtf8("v"))), "store_name");
  }

  @Test
  void emptyKeyIsInvalidArgumentNamingTheField() {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).getState(GetStateRequest.newBuilder().setStoreName(IN_MEMORY).build()), "key");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).saveState(layottoSave(REDIS, "", ByteString.copyFromUtf8("v"))), "key");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).deleteState(DeleteStateRequest.newBuilder().setStoreName(IN_MEMORY).build()), "key");
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> dapr(channel).getState(DaprStateProtos.GetStateRequest.newBuilder().setStoreName(REDIS).build()), "key");
  }

  @Test
  void unknownStoreIsInvalidArgumentNamingItAndTheConfiguredOnes() {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> layotto(channel).getState(GetStateRequest.newBuilder().setStoreName("nope_store").setKey(KEY).build()),
        "nope_store", IN_MEMORY, REDIS);
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> dapr(channel).saveState(daprSave("nope_store", KEY, ByteString.copyFromUtf8("v"))),
        "nope_store", IN_MEMORY, REDIS);
  }

  @Test
  void etagMismatchIsAborted() {
    String key = KEY + "-etag";
    layotto(channel).saveState(layottoSave(REDIS, key, ByteString.copyFromUtf8("v1")));
    String etag = layotto(channel).getState(GetStateRequest.newBuilder().setStoreName(REDIS).setKey(key).build()).getEtag();
    layotto(channel).saveState(layottoSave(REDIS, key, ByteString.copyFromUtf8("v2")));

    assertFailsWith(Code.ABORTED, () -> layotto(channel).saveState(SaveStateRequest.newBuilder().setStoreName(REDIS)
        .addStates(StateItem.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v3"))
            .setEtag(Etag.newBuilder().setValue(etag))).build()));
    assertFailsWith(Code.ABORTED, () -> dapr(channel).deleteState(DaprStateProtos.DeleteStateRequest.newBuilder()
        .setStoreName(REDIS).setKey(key).setEtag(CommonProtos.Etag.newBuilder().setValue(etag)).build()));
  }

  @Test
  void requestOverTheMaxMessageSizeIsResourceExhaustedAndTheSidecarKeepsServing() {
    ByteString fiveMebibytes = ByteString.copyFrom(new byte[5 * 1024 * 1024]);

    assertFailsWith(Code.RESOURCE_EXHAUSTED,
        () -> layotto(channel).saveState(layottoSave(IN_MEMORY, KEY + "-huge", fiveMebibytes)));
    assertFailsWith(Code.RESOURCE_EXHAUSTED,
        () -> dapr(channel).saveState(daprSave(REDIS, KEY + "-huge", fiveMebibytes)));

    assertThat(layotto(channel).sayHello(SayHelloRequest.newBuilder().setServiceName("helloworld").build()).getHello())
        .isEqualTo("greeting");
    layotto(channel).saveState(layottoSave(IN_MEMORY, KEY + "-small", ByteString.copyFromUtf8("fine")));
    assertThat(layotto(channel).getState(GetStateRequest.newBuilder().setStoreName(IN_MEMORY).setKey(KEY + "-huge")
        .build()).getData()).isEmpty();
    assertThat(sidecar.isAlive()).isTrue();
  }

  @Test
  void backendDownIsUnavailableWhileOtherStoresKeepServing() {
    String fragile = "fragile_redis";
    try (RedisServerProcess privateRedis = RedisServerProcess.startOnFreePort();
        SidecarProcess ownSidecar = SidecarProcess.start(SidecarConfig.defaults()
            .withInMemoryStore(IN_MEMORY)
            .withRedisStore(REDIS, 6379)
            .withRedisStore(fragile, privateRedis.port()))) {
      ManagedChannel own = GrpcClients.channel(ownSidecar.grpcPort());
      try {
        layotto(own).saveState(layottoSave(fragile, KEY, ByteString.copyFromUtf8("before")));

        privateRedis.kill();

        assertFailsWith(Code.UNAVAILABLE,
            () -> layotto(own).getState(GetStateRequest.newBuilder().setStoreName(fragile).setKey(KEY).build()), fragile);
        assertFailsWith(Code.UNAVAILABLE,
            () -> layotto(own).saveState(layottoSave(fragile, KEY, ByteString.copyFromUtf8("after"))), fragile);
        assertFailsWith(Code.UNAVAILABLE,
            () -> dapr(own).getState(DaprStateProtos.GetStateRequest.newBuilder().setStoreName(fragile).setKey(KEY).build()),
            fragile);

        for (String healthy : new String[] {IN_MEMORY, REDIS}) {
          layotto(own).saveState(layottoSave(healthy, KEY, ByteString.copyFromUtf8("still serving")));
          assertThat(layotto(own).getState(GetStateRequest.newBuilder().setStoreName(healthy).setKey(KEY).build())
              .getData().toStringUtf8()).isEqualTo("still serving");
        }
        ownSidecar.stop();
      } finally {
        GrpcClients.close(own);
      }
    }
  }
}
