package io.layotto.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.ListenerAddress;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.testing.FakeStateStore;
import io.layotto.runtime.testing.Http;
import io.layotto.runtime.testing.LoopProbeStateStore;
import io.layotto.runtime.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** The whole sidecar with the real Layotto and Dapr services, started in-process on free ports. */
class SidecarApiTest {

  private final String probe = "api-" + UUID.randomUUID();
  private Sidecar sidecar;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() {
    CountDownLatch gate = FakeStateStore.GET_GATES.remove(probe);
    if (gate != null) {
      gate.countDown();
    }
    FakeStateStore.GET_ENTERED.remove(probe);
    if (channel != null) {
      channel.shutdownNow();
    }
    if (sidecar != null) {
      sidecar.close();
    }
  }

  private void start(RuntimeConfig config) {
    sidecar = Sidecar.start(config.withAddresses(new ListenerAddress("127.0.0.1", 0),
        new ListenerAddress("127.0.0.1", 0)));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
  }

  @Test
  void theBuiltInDefaultServesBothApisOverTheInMemoryStore() {
    start(ConfigLoader.loadDefault());
    var layotto = RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    var dapr = DaprGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    String key = "k-" + UUID.randomUUID();

    assertThat(layotto.sayHello(RuntimeProto.SayHelloRequest.newBuilder().setServiceName("helloworld").build())
        .getHello()).startsWith("greeting");
    layotto.saveState(RuntimeProto.SaveStateRequest.newBuilder().setStoreName("state_demo")
        .addStates(RuntimeProto.StateItem.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v1"))).build());

    var fromDapr = dapr.getState(io.dapr.v1.DaprStateProtos.GetStateRequest.newBuilder().setStoreName("state_demo").setKey(key).build());
    assertThat(fromDapr.getData().toStringUtf8()).isEqualTo("v1");
    assertThat(fromDapr.getEtag()).isNotEmpty();
    assertThat(dapr.getMetadata(io.dapr.v1.DaprMetadataProtos.GetMetadataRequest.getDefaultInstance()).getId()).isEqualTo("app1");
  }

  @Test
  void shutdownLetsAnInFlightGetStateFinishThroughTheRealApi() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    FakeStateStore.GET_GATES.put(probe, gate);
    FakeStateStore.GET_ENTERED.put(probe, entered);
    start(ConfigLoader.parse("t.json", TestConfigs.withFakeStore("slow", probe))
        .withDrainTimeout(Duration.ofSeconds(20)));
    int actuatorPort = sidecar.actuatorPort().orElseThrow();
    var stub = RuntimeGrpc.newFutureStub(channel);

    var inFlight = stub.getState(RuntimeProto.GetStateRequest.newBuilder().setStoreName("slow").setKey("a").build());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(sidecar::close);

    await().atMost(Duration.ofSeconds(10)).until(() ->
        Http.get(actuatorPort, "/actuator/health/readiness").status() == 503);
    assertThat(closing).isNotDone();
    gate.countDown();

    assertThat(inFlight.get(10, TimeUnit.SECONDS).getData().toString(StandardCharsets.UTF_8)).isEqualTo("value of a");
    closing.get(10, TimeUnit.SECONDS);
    assertThat(FakeStateStore.BY_PROBE.get(probe).closeCount()).isEqualTo(1);
    assertThatThrownBy(() -> RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getState(RuntimeProto.GetStateRequest.newBuilder().setStoreName("slow").setKey("b").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aStoreThatBlocksIsCalledOffTheEventLoopSoTheConnectionKeepsServing() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    FakeStateStore.GET_GATES.put(probe, gate);
    FakeStateStore.GET_ENTERED.put(probe, entered);
    start(ConfigLoader.parse("t.json", TestConfigs.withFakeStore("slow", probe)));
    // One channel is one connection, served by one event loop thread: a store call blocking that
    // thread would hold up every later call on the connection.
    var blocked = RuntimeGrpc.newFutureStub(channel).getState(
        RuntimeProto.GetStateRequest.newBuilder().setStoreName("slow").setKey("a").build());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).saveState(
        RuntimeProto.SaveStateRequest.newBuilder().setStoreName("slow")
            .addStates(RuntimeProto.StateItem.newBuilder().setKey("b").setValue(ByteString.copyFromUtf8("v"))).build());
    DaprGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).deleteState(
        io.dapr.v1.DaprStateProtos.DeleteStateRequest.newBuilder().setStoreName("slow").setKey("b").build());
    assertThat(blocked).isNotDone();

    gate.countDown();
    assertThat(blocked.get(10, TimeUnit.SECONDS).getData().toString(StandardCharsets.UTF_8)).isEqualTo("value of a");
  }

  @Test
  void nonBlockingCallsRunOnTheEventLoopsTheRuntimeLendsItsComponents() {
    start(ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "app1"},
         "state": {"probe_store": {"type": "test-loop-probe", "metadata": {"probe": "%s"}}}}
        """.formatted(probe))));
    var layotto = RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    var dapr = DaprGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThat(LoopProbeStateStore.LENT.remove(probe)).as("loops lent before init").isNotNull();
    // GetState is served on the loop that read the request, which is one of the lent loops ...
    assertThat(layotto.getState(RuntimeProto.GetStateRequest.newBuilder().setStoreName("probe_store").setKey("a")
        .build()).getData().toStringUtf8()).startsWith("on a lent loop: layotto-io-");
    assertThat(dapr.getState(io.dapr.v1.DaprStateProtos.GetStateRequest.newBuilder().setStoreName("probe_store")
        .setKey("a").build()).getData().toStringUtf8()).startsWith("on a lent loop: layotto-io-");
    // ... while a call that may block (bulk get) moves to the handler threads first.
    assertThat(layotto.getBulkState(RuntimeProto.GetBulkStateRequest.newBuilder().setStoreName("probe_store")
        .addKeys("a").build()).getItems(0).getData().toStringUtf8()).startsWith("off the lent loops: ");
  }
}
