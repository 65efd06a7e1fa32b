package io.layotto.runtime.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.layotto.spi.state.Concurrency;
import java.util.List;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** The state contract through Layotto's generated stubs ({@code spec.proto.runtime.v1.Runtime}). */
class LayottoStateApiTest extends StateApiContract {

  @Override
  StateClient.Factory clients() {
    return LayottoClient::new;
  }

  private record LayottoClient(RuntimeGrpc.RuntimeBlockingStub stub) implements StateClient {

    LayottoClient(ManagedChannel channel) {
      this(RuntimeGrpc.newBlockingStub(channel));
    }

    @Override
    public Got get(String store, String key) {
      var r = stub.getState(RuntimeProto.GetStateRequest.newBuilder().setStoreName(store).setKey(key).build());
      return new Got(r.getData().toStringUtf8(), r.getEtag());
    }

    @Override
    public List<BulkGot> bulkGet(String store, List<String> keys) {
      var r = stub.getBulkState(RuntimeProto.GetBulkStateRequest.newBuilder().setStoreName(store)
          .addAllKeys(keys).build());
      return r.getItemsList().stream()
          .map(i -> new BulkGot(i.getKey(), i.getData().toStringUtf8(), i.getEtag(), i.getError())).toList();
    }

    @Override
    public void save(String store, List<Item> items) {
      stub.saveState(RuntimeProto.SaveStateRequest.newBuilder().setStoreName(store)
          .addAllStates(items.stream().map(LayottoClient::item).toList()).build());
    }

    @Override
    public void delete(String store, String key, String etag) {
      var request = RuntimeProto.DeleteStateRequest.newBuilder().setStoreName(store).setKey(key);
      if (!etag.isEmpty()) {
        request.setEtag(RuntimeProto.Etag.newBuilder().setValue(etag));
      }
      stub.deleteState(request.build());
    }

    @Override
    public void deleteBulk(String store, List<Item> items) {
      stub.deleteBulkState(RuntimeProto.DeleteBulkStateRequest.newBuilder().setStoreName(store)
          .addAllStates(items.stream().map(LayottoClient::item).toList()).build());
    }

    @Override
    public void transact(String store, List<Op> operations) {
      stub.executeStateTransaction(RuntimeProto.ExecuteStateTransactionRequest.newBuilder().setStoreName(store)
          .addAllOperations(operations.stream().map(op -> RuntimeProto.TransactionalStateOperation.newBuilder()
              .setOperationType(op.type()).setRequest(item(op.item())).build()).toList())
          .build());
    }

    @Override
    public void callUnimplemented() {
      stub.invokeBinding(RuntimeProto.InvokeBindingRequest.newBuilder().setName("binding").setOperation("get")
          .build());
    }

    private static RuntimeProto.StateItem item(Item item) {
      var builder = RuntimeProto.StateItem.newBuilder().setKey(item.key())
          .setValue(ByteString.copyFromUtf8(item.value())).putAllMetadata(item.metadata())
          .setEtag(RuntimeProto.Etag.newBuilder().setValue(item.etag()));
      if (item.concurrency() == Concurrency.FIRST_WRITE) {
        builder.setOptions(RuntimeProto.StateOptions.newBuilder()
            .setConcurrency(RuntimeProto.StateOptions.StateConcurrency.CONCURRENCY_FIRST_WRITE));
      }
      return builder.build();
    }
  }
}
