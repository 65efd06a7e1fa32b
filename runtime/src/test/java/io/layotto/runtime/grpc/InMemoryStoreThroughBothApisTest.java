package io.layotto.runtime.grpc;

import static io.layotto.runtime.grpc.StateApiContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.v1.CommonProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprStateProtos;
import io.grpc.Status;
import io.layotto.components.inmemory.InMemoryStateStoreFactory;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * The real {@code in-memory} component behind both services at once: what one API writes the other
 * reads, byte for byte, with the same etags; component errors reach clients with their status.
 */
class InMemoryStoreThroughBothApisTest {

  private StateStore store;
  private InProcessApi api;
  private RuntimeGrpc.RuntimeBlockingStub layotto;
  private DaprGrpc.DaprBlockingStub dapr;

  @BeforeEach
  void start() {
    InMemoryStateStoreFactory factory = new InMemoryStateStoreFactory();
    store = factory.create();
    store.init(new Metadata("state_demo", Map.of()));
    var info = new ComponentInfo("state_demo", BuildingBlock.STATE, factory.type(),
        factory.capabilities().stream().map(Enum::name).collect(Collectors.toSet()));
    api = new InProcessApi(new LoadedComponents("app", Map.of("state_demo", store), Map.of("state_demo", "appid"),
        Map.of(), List.of(info)));
    layotto = RuntimeGrpc.newBlockingStub(api.channel);
    dapr = DaprGrpc.newBlockingStub(api.channel);
  }

  @AfterEach
  void stop() {
    api.close();
    store.close();
  }

  @Test
  void layottoWritesAndDaprReadsTheSameBytesAndEtag() {
    byte[] binary = {0, (byte) 0xff, 10, 13, (byte) 0x80, 'x'};
    layotto.saveState(RuntimeProto.SaveStateRequest.newBuilder().setStoreName("state_demo")
        .addStates(RuntimeProto.StateItem.newBuilder().setKey("ключ/🔑").setValue(ByteString.copyFrom(binary)))
        .build());

    var viaLayotto = layotto.getState(RuntimeProto.GetStateRequest.newBuilder().setStoreName("state_demo")
        .setKey("ключ/🔑").build());
    var viaDapr = dapr.getState(DaprStateProtos.GetStateRequest.newBuilder().setStoreName("state_demo")
        .setKey("ключ/🔑").build());
    assertThat(viaDapr.getData().toByteArray()).isEqualTo(binary);
    assertThat(viaDapr.getEtag()).isNotEmpty().isEqualTo(viaLayotto.getEtag());

    // Dapr updates with Layotto's etag; the old etag is then stale for both
    dapr.saveState(DaprStateProtos.SaveStateRequest.newBuilder().setStoreName("state_demo")
        .addStates(CommonProtos.StateItem.newBuilder().setKey("ключ/🔑").setValue(ByteString.copyFromUtf8("v2"))
            .setEtag(CommonProtos.Etag.newBuilder().setValue(viaLayotto.getEtag())))
        .build());
    assertFails(() -> layotto.deleteState(RuntimeProto.DeleteStateRequest.newBuilder().setStoreName("state_demo")
        .setKey("ключ/🔑").setEtag(RuntimeProto.Etag.newBuilder().setValue(viaLayotto.getEtag())).build()),
        Status.Code.ABORTED, "'state_demo'");
  }

  @Test
  void transactionThroughDaprIsVisibleThroughLayottoBulkGet() {
    dapr.executeStateTransaction(DaprStateProtos.ExecuteStateTransactionRequest.newBuilder()
        .setStoreName("state_demo")
        .addOperations(DaprStateProtos.TransactionalStateOperation.newBuilder().setOperationType("upsert")
            .setRequest(CommonProtos.StateItem.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("1"))))
        .addOperations(DaprStateProtos.TransactionalStateOperation.newBuilder().setOperationType("upsert")
            .setRequest(CommonProtos.StateItem.newBuilder().setKey("b").setValue(ByteString.copyFromUtf8("2"))))
        .build());

    var bulk = layotto.getBulkState(RuntimeProto.GetBulkStateRequest.newBuilder().setStoreName("state_demo")
        .addKeys("a").addKeys("b").addKeys("c").build());
    assertThat(bulk.getItemsList()).extracting(RuntimeProto.BulkStateItem::getKey).containsExactly("a", "b", "c");
    assertThat(bulk.getItemsList()).extracting(i -> i.getData().toStringUtf8()).containsExactly("1", "2", "");
  }

  @Test
  void badTtlMetadataIsInvalidArgumentFromTheComponent() {
    assertFails(() -> layotto.saveState(RuntimeProto.SaveStateRequest.newBuilder().setStoreName("state_demo")
        .addStates(RuntimeProto.StateItem.newBuilder().setKey("t").setValue(ByteString.copyFromUtf8("v"))
            .putMetadata("ttlInSeconds", "soon"))
        .build()), Status.Code.INVALID_ARGUMENT, "ttlInSeconds", "soon", "'state_demo'");
  }
}
