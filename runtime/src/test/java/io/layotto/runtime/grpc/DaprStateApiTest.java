package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.v1.CommonProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprStateProtos;
import io.grpc.ManagedChannel;
import io.layotto.spi.state.Concurrency;
import java.util.List;

/** The state contract through Dapr's generated stubs ({@code dapr.proto.runtime.v1.Dapr}). */
class DaprStateApiTest extends StateApiContract {

  @Override
  StateClient.Factory clients() {
    return DaprClient::new;
  }

  @org.junit.jupiter.api.Test
  void unimplementedRpcNamesTheMethodAndWhatIsServed() {
    assertFails(() -> DaprGrpc.newBlockingStub(api.channel).invokeBinding(
        io.dapr.v1.DaprBindingsProtos.InvokeBindingRequest.newBuilder().setName("b").build()),
        io.grpc.Status.Code.UNIMPLEMENTED, "dapr.proto.runtime.v1.Dapr/InvokeBinding", "not available",
        "GetState");
  }

  private record DaprClient(DaprGrpc.DaprBlockingStub stub) implements StateClient {

    DaprClient(ManagedChannel channel) {
      this(DaprGrpc.newBlockingStub(channel));
    }

    @Override
    public Got get(String store, String key) {
      var r = stub.getState(DaprStateProtos.GetStateRequest.newBuilder().setStoreName(store).setKey(key).build());
      return new Got(r.getData().toStringUtf8(), r.getEtag());
    }

    @Override
    public List<BulkGot> bulkGet(String store, List<String> keys) {
      var r = stub.getBulkState(DaprStateProtos.GetBulkStateRequest.newBuilder().setStoreName(store)
          .addAllKeys(keys).setParallelism(2).build());
      return r.getItemsList().stream()
          .map(i -> new BulkGot(i.getKey(), i.getData().toStringUtf8(), i.getEtag(), i.getError())).toList();
    }

    @Override
    public void save(String store, List<Item> items) {
      stub.saveState(DaprStateProtos.SaveStateRequest.newBuilder().setStoreName(store)
          .addAllStates(items.stream().map(DaprClient::item).toList()).build());
    }

    @Override
    public void delete(String store, String key, String etag) {
      stub.deleteState(DaprStateProtos.DeleteStateRequest.newBuilder().setStoreName(store).setKey(key)
          .setEtag(CommonProtos.Etag.newBuilder().setValue(etag)).build());
    }

    @Override
    public void deleteBulk(String store, List<Item> items) {
      stub.deleteBulkState(DaprStateProtos.DeleteBulkStateRequest.newBuilder().setStoreName(store)
          .addAllStates(items.stream().map(DaprClient::item).toList()).build());
    }

    @Override
    public void transact(String store, List<Op> operations) {
      stub.executeStateTransaction(DaprStateProtos.ExecuteStateTransactionRequest.newBuilder().setStoreName(store)
          .addAllOperations(operations.stream().map(op -> DaprStateProtos.TransactionalStateOperation.newBuilder()
              .setOperationType(op.type()).setRequest(item(op.item())).build()).toList())
          .build());
    }

    @Override
    public void callUnimplemented() {
      stub.getSecret(io.dapr.v1.DaprSecretProtos.GetSecretRequest.newBuilder().setStoreName("s").setKey("k").build());
    }

    private static CommonProtos.StateItem item(Item item) {
      var builder = CommonProtos.StateItem.newBuilder().setKey(item.key())
          .setValue(ByteString.copyFromUtf8(item.value())).putAllMetadata(item.metadata());
      if (!item.etag().isEmpty()) {
        builder.setEtag(CommonProtos.Etag.newBuilder().setValue(item.etag()));
      }
      if (item.concurrency() == Concurrency.FIRST_WRITE) {
        builder.setOptions(CommonProtos.StateOptions.newBuilder()
            .setConcurrency(CommonProtos.StateOptions.StateConcurrency.CONCURRENCY_FIRST_WRITE));
      }
      return builder.build();
    }
  }
}
