package io.layotto.runtime.grpc;

import static io.layotto.runtime.grpc.StateApiContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.v1.DaprConfigurationProtos;
import io.dapr.v1.DaprCryptoProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprMetadataProtos;
import io.dapr.v1.DaprMetadataProtos.RegisteredComponents;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dapr's GetMetadata, and UNIMPLEMENTED (never UNKNOWN) for the Dapr rpcs this build does not serve. */
class DaprMetadataAndUnimplementedTest {

  private InProcessApi api;
  private DaprGrpc.DaprBlockingStub dapr;

  @BeforeEach
  void start() {
    Map<String, StateStore> stores = new LinkedHashMap<>();
    stores.put("state_demo", new MapStateStore(EnumSet.allOf(StateFeature.class)));
    stores.put("cache", new MapStateStore(EnumSet.of(StateFeature.TTL)));
    List<ComponentInfo> infos = List.of(
        new ComponentInfo("state_demo", BuildingBlock.STATE, "redis", Set.of("TTL", "ETAG", "TRANSACTIONAL")),
        new ComponentInfo("cache", BuildingBlock.STATE, "in-memory", Set.of("ttl")),
        new ComponentInfo("secrets", BuildingBlock.SECRETS, "local.file", Set.of()));
    api = new InProcessApi(new LoadedComponents("orders", stores, Map.of(), Map.of(), infos));
    dapr = DaprGrpc.newBlockingStub(api.channel);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void metadataReportsAppIdComponentsAsDaprSpellsThemAndTheRuntimeVersion() {
    DaprMetadataProtos.GetMetadataResponse metadata =
        dapr.getMetadata(DaprMetadataProtos.GetMetadataRequest.getDefaultInstance());

    assertThat(metadata.getId()).isEqualTo("orders");
    assertThat(metadata.getRegisteredComponentsList()).containsExactly(
        RegisteredComponents.newBuilder().setName("state_demo").setType("state.redis").setVersion("v1")
            .addAllCapabilities(List.of("ETAG", "TRANSACTIONAL", "TTL")).build(),
        RegisteredComponents.newBuilder().setName("cache").setType("state.in-memory").setVersion("v1")
            .addCapabilities("TTL").build(),
        RegisteredComponents.newBuilder().setName("secrets").setType("secretstores.local.file").setVersion("v1")
            .build());
    assertThat(metadata.getRuntimeVersion()).isEqualTo(ApiServices.runtimeVersion()).isNotEqualTo("unknown")
        .matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(metadata.getExtendedMetadataMap()).containsEntry("runtime", "layotto-java");
  }

  @Test
  void unaryRpcsOfOtherBuildingBlocksAreUnimplemented() {
    assertFails(() -> dapr.getSecret(io.dapr.v1.DaprSecretProtos.GetSecretRequest.newBuilder()
        .setStoreName("secrets").setKey("k").build()), Status.Code.UNIMPLEMENTED, "Dapr/GetSecret", "not available");
    assertFails(() -> dapr.queryStateAlpha1(io.dapr.v1.DaprStateProtos.QueryStateRequest.newBuilder()
        .setStoreName("state_demo").setQuery("{}").build()), Status.Code.UNIMPLEMENTED, "Dapr/QueryStateAlpha1");
    assertFails(() -> dapr.shutdown(io.dapr.v1.DaprProtos.ShutdownRequest.getDefaultInstance()),
        Status.Code.UNIMPLEMENTED, "Dapr/Shutdown");
    assertFails(() -> dapr.setMetadata(DaprMetadataProtos.SetMetadataRequest.newBuilder().setKey("k").build()),
        Status.Code.UNIMPLEMENTED, "Dapr/SetMetadata");
  }

  /** The only server-streaming rpc is served now: without config stores it fails the stream cleanly. */
  @Test
  void serverStreamingRpcWithoutConfigStoresIsFailedPrecondition() {
    var responses = dapr.subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder()
        .setStoreName("config").build());
    assertFails(responses::hasNext, Status.Code.FAILED_PRECONDITION, "configuration store is not configured");
  }

  @Test
  void bidiStreamingRpcIsUnimplemented() throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    StreamObserver<DaprCryptoProtos.EncryptRequest> requests = DaprGrpc.newStub(api.channel)
        .encryptAlpha1(new StreamObserver<>() {
          @Override
          public void onNext(DaprCryptoProtos.EncryptResponse value) {
            failure.completeExceptionally(new AssertionError("no response expected"));
          }

          @Override
          public void onError(Throwable t) {
            failure.complete(t);
          }

          @Override
          public void onCompleted() {
            failure.completeExceptionally(new AssertionError("must fail, not complete"));
          }
        });
    requests.onNext(DaprCryptoProtos.EncryptRequest.getDefaultInstance());
    requests.onCompleted();
    Status status = Status.fromThrowable(failure.get(5, TimeUnit.SECONDS));
    assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(status.getDescription()).contains("Dapr/EncryptAlpha1");
  }
}
