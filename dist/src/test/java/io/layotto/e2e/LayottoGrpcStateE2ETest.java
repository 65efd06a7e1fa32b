package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.domain.State;
import io.dapr.config.Properties;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.BulkStateItem;
import spec.proto.runtime.v1.RuntimeProto.DeleteBulkStateRequest;
import spec.proto.runtime.v1.RuntimeProto.DeleteStateRequest;
import spec.proto.runtime.v1.RuntimeProto.Etag;
import spec.proto.runtime.v1.RuntimeProto.ExecuteStateTransactionRequest;
import spec.proto.runtime.v1.RuntimeProto.GetBulkStateRequest;
import spec.proto.runtime.v1.RuntimeProto.GetStateRequest;
import spec.proto.runtime.v1.RuntimeProto.GetStateResponse;
import spec.proto.runtime.v1.RuntimeProto.SaveStateRequest;
import spec.proto.runtime.v1.RuntimeProto.SayHelloRequest;
import spec.proto.runtime.v1.RuntimeProto.StateItem;
import spec.proto.runtime.v1.RuntimeProto.StateOptions;
import spec.proto.runtime.v1.RuntimeProto.TransactionalStateOperation;

/**
 * A grpc-java client on the project's Layotto protos ({@code spec.proto.runtime.v1.Runtime}) against
 * the real sidecar, over an in-memory store and the shared Redis (random keys).
 */
@ExtendWith(SidecarLogsOnFailure.class)
class LayottoGrpcStateE2ETest {

  private static final String IN_MEMORY = "mem_store";
  private static final String REDIS = "redis_store";
  private static final String KEY_PREFIX = "e2e-layotto-" + UUID.randomUUID() + "-";

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

  private static RuntimeGrpc.RuntimeBlockingStub runtime() {
    return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static String key(String name) {
    return KEY_PREFIX + name;
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static StateItem item(String key, ByteString value) {
    return StateItem.newBuilder().setKey(key).setValue(value).build();
  }

  private static GetStateResponse get(String store, String key) {
    return runtime().getState(GetStateRequest.newBuilder().setStoreName(store).setKey(key).build());
  }

  private static void save(String store, StateItem... items) {
    runtime().saveState(SaveStateRequest.newBuilder().setStoreName(store).addAllStates(List.of(items)).build());
  }

  @Test
  void saysHello() {
    var reply = runtime().sayHello(SayHelloRequest.newBuilder().setServiceName("helloworld").setName("layotto").build());

    assertThat(reply.getHello()).isEqualTo("greeting, layotto");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void savesReadsAndDeletes(String store) {
    save(store, item(key("a"), utf8("alpha")), item(key("b"), utf8("beta")));

    GetStateResponse a = get(store, key("a"));
    assertThat(a.getData().toStringUtf8()).isEqualTo("alpha");
    assertThat(a.getEtag()).isNotBlank();
    assertThat(get(store, key("b")).getData().toStringUtf8()).isEqualTo("beta");

    runtime().deleteState(DeleteStateRequest.newBuilder().setStoreName(store).setKey(key("a")).build());

    GetStateResponse deleted = get(store, key("a"));
    assertThat(deleted.getData()).isEmpty();
    assertThat(deleted.getEtag()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void readsAndDeletesInBulk(String store) {
    List<String> keys = List.of(key("bulk-1"), key("bulk-2"), key("bulk-3"));
    save(store, item(keys.get(0), utf8("one")), item(keys.get(1), utf8("two")), item(keys.get(2), utf8("three")));

    List<BulkStateItem> items = runtime().getBulkState(GetBulkStateRequest.newBuilder()
        .setStoreName(store).addAllKeys(keys).addKeys(key("bulk-missing")).setParallelism(2).build()).getItemsList();

    Map<String, BulkStateItem> byKey = items.stream().collect(Collectors.toMap(BulkStateItem::getKey, Function.identity()));
    assertThat(byKey).containsOnlyKeys(keys.get(0), keys.get(1), keys.get(2), key("bulk-missing"));
    assertThat(byKey.get(keys.get(0)).getData().toStringUtf8()).isEqualTo("one");
    assertThat(byKey.get(keys.get(2)).getData().toStringUtf8()).isEqualTo("three");
    assertThat(byKey.get(keys.get(1)).getEtag()).isNotBlank();
    assertThat(byKey.get(key("bulk-missing")).getData()).isEmpty();
    assertThat(items).allSatisfy(item -> assertThat(item.getError()).isEmpty());

    runtime().deleteBulkState(DeleteBulkStateRequest.newBuilder().setStoreName(store)
        .addStates(StateItem.newBuilder().setKey(keys.get(0)))
        .addStates(StateItem.newBuilder().setKey(keys.get(1)))
        .build());

    assertThat(get(store, keys.get(0)).getData()).isEmpty();
    assertThat(get(store, keys.get(1)).getData()).isEmpty();
    assertThat(get(store, keys.get(2)).getData().toStringUtf8()).isEqualTo("three");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void executesTransactions(String store) {
    save(store, item(key("tx-update"), utf8("old")), item(key("tx-delete"), utf8("doomed")));

    runtime().executeStateTransaction(ExecuteStateTransactionRequest.newBuilder().setStoreName(store)
        .addOperations(TransactionalStateOperation.newBuilder().setOperationType("upsert")
            .setRequest(item(key("tx-update"), utf8("new"))))
        .addOperations(TransactionalStateOperation.newBuilder().setOperationType("delete")
            .setRequest(StateItem.newBuilder().setKey(key("tx-delete"))))
        .addOperations(TransactionalStateOperation.newBuilder().setOperationType("upsert")
            .setRequest(item(key("tx-insert"), utf8("inserted"))))
        .build());

    assertThat(get(store, key("tx-update")).getData().toStringUtf8()).isEqualTo("new");
    assertThat(get(store, key("tx-delete")).getData()).isEmpty();
    assertThat(get(store, key("tx-insert")).getData().toStringUtf8()).isEqualTo("inserted");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void etagMismatchIsAborted(String store) {
    String key = key("etag");
    save(store, item(key, utf8("v1")));
    String first = get(store, key).getEtag();
    StateOptions firstWrite = StateOptions.newBuilder()
        .setConcurrency(StateOptions.StateConcurrency.CONCURRENCY_FIRST_WRITE).build();
    save(store, item(key, utf8("v2")).toBuilder().setEtag(Etag.newBuilder().setValue(first)).setOptions(firstWrite).build());

    assertFailsWith(Status.Code.ABORTED, () -> save(store,
        item(key, utf8("v3")).toBuilder().setEtag(Etag.newBuilder().setValue(first)).setOptions(firstWrite).build()),
        key);
    assertFailsWith(Status.Code.ABORTED, () -> runtime().deleteState(DeleteStateRequest.newBuilder()
        .setStoreName(store).setKey(key).setEtag(Etag.newBuilder().setValue(first)).setOptions(firstWrite).build()),
        key);

    GetStateResponse current = get(store, key);
    assertThat(current.getData().toStringUtf8()).isEqualTo("v2");
    assertThat(current.getEtag()).isNotEqualTo(first);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void roundTripsOneMebibyteOfBinary(String store) {
    byte[] value = new byte[1024 * 1024];
    new Random(42).nextBytes(value);
    for (int b = 0; b < 256; b++) {
      value[b] = (byte) b; // every byte value, including 0x00 and invalid UTF-8
    }

    save(store, item(key("binary"), ByteString.copyFrom(value)));

    assertThat(get(store, key("binary")).getData().toByteArray()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void layottoAndDaprClientsShareTheSameState(String store) throws Exception {
    String key = key("shared");
    save(store, item(key, utf8("\"written by a Layotto client\"")));
    String layottoEtag = get(store, key).getEtag();

    try (DaprClient dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .build()) {
      State<String> read = dapr.getState(store, key, String.class).block();
      assertThat(read.getValue()).isEqualTo("written by a Layotto client");
      assertThat(read.getEtag()).isEqualTo(layottoEtag);

      dapr.saveState(store, key, "written by a Dapr client").block();
    }
    assertThat(get(store, key).getData().toString(StandardCharsets.UTF_8)).isEqualTo("\"written by a Dapr client\"");
  }
}
