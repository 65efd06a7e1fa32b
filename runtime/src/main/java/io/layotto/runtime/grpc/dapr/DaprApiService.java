package io.layotto.runtime.grpc.dapr;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.dapr.v1.CommonProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprMetadataProtos;
import io.dapr.v1.DaprStateProtos;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.NotYetAvailable;
import io.layotto.runtime.grpc.Unary;
import io.layotto.runtime.grpc.state.StateApi;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.Concurrency;
import io.layotto.spi.state.Consistency;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.StateValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Dapr's {@code dapr.proto.runtime.v1.Dapr} service, so that Dapr SDKs work unchanged against the
 * sidecar: the state rpcs (through {@link StateApi}) and {@code GetMetadata}. Every other rpc answers
 * UNIMPLEMENTED (see {@link #definition}).
 */
public final class DaprApiService extends DaprGrpc.DaprImplBase {

  private static final Set<String> IMPLEMENTED = Set.of("GetState", "GetBulkState", "SaveState", "DeleteState",
      "DeleteBulkState", "ExecuteStateTransaction", "GetMetadata");

  private final LoadedComponents components;
  private final StateApi state;
  private final String runtimeVersion;

  public DaprApiService(LoadedComponents components, StateApi state, String runtimeVersion) {
    this.components = components;
    this.state = state;
    this.runtimeVersion = runtimeVersion;
  }

  /** The service with clear UNIMPLEMENTED answers for every rpc this build does not serve. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      String runtimeVersion) {
    return NotYetAvailable.restrict(new DaprApiService(components, state, runtimeVersion).bindService(),
        IMPLEMENTED, method -> "dapr.proto.runtime.v1.Dapr/" + method
            + " is not available in this Layotto for Java build yet; the Dapr API serves "
            + IMPLEMENTED.stream().sorted().toList());
  }

  @Override
  public void getState(DaprStateProtos.GetStateRequest request,
      StreamObserver<DaprStateProtos.GetStateResponse> observer) {
    Unary.respond(observer, "GetState", () -> {
      GetRequest get = new GetRequest(request.getKey(), consistency(request.getConsistency()),
          request.getMetadataMap());
      var response = DaprStateProtos.GetStateResponse.newBuilder();
      state.get(request.getStoreName(), get).ifPresent(value -> response
          .setData(ByteString.copyFrom(value.data()))
          .setEtag(etagOf(value))
          .putAllMetadata(value.metadata()));
      return response.build();
    });
  }

  @Override
  public void getBulkState(DaprStateProtos.GetBulkStateRequest request,
      StreamObserver<DaprStateProtos.GetBulkStateResponse> observer) {
    Unary.respond(observer, "GetBulkState", () -> {
      var response = DaprStateProtos.GetBulkStateResponse.newBuilder();
      for (BulkGetItem item : state.bulkGet(request.getStoreName(), request.getKeysList(), request.getMetadataMap())) {
        var out = DaprStateProtos.BulkStateItem.newBuilder().setKey(item.key());
        StateValue value = item.value();
        if (value != null) {
          out.setData(ByteString.copyFrom(value.data())).setEtag(etagOf(value)).putAllMetadata(value.metadata());
        }
        if (item.error() != null) {
          out.setError(item.error());
        }
        response.addItems(out);
      }
      return response.build();
    });
  }

  @Override
  public void saveState(DaprStateProtos.SaveStateRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "SaveState", () -> {
      state.save(request.getStoreName(), request.getStatesList().stream().map(DaprApiService::setRequest).toList());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void deleteState(DaprStateProtos.DeleteStateRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "DeleteState", () -> {
      state.delete(request.getStoreName(), new DeleteRequest(request.getKey(), request.getEtag().getValue(),
          request.getMetadataMap(), options(request.getOptions())));
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void deleteBulkState(DaprStateProtos.DeleteBulkStateRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "DeleteBulkState", () -> {
      state.deleteBulk(request.getStoreName(), request.getStatesList().stream()
          .map(item -> new DeleteRequest(item.getKey(), item.getEtag().getValue(), item.getMetadataMap(),
              options(item.getOptions())))
          .toList());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void executeStateTransaction(DaprStateProtos.ExecuteStateTransactionRequest request,
      StreamObserver<Empty> observer) {
    Unary.respond(observer, "ExecuteStateTransaction", () -> {
      state.transact(request.getStoreName(), request.getOperationsList().stream()
          .map(op -> new StateApi.TransactionItem(op.getOperationType(),
              op.hasRequest() ? setRequest(op.getRequest()) : null))
          .toList(), request.getMetadataMap());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void getMetadata(DaprMetadataProtos.GetMetadataRequest request,
      StreamObserver<DaprMetadataProtos.GetMetadataResponse> observer) {
    Unary.respond(observer, "GetMetadata", () -> {
      var response = DaprMetadataProtos.GetMetadataResponse.newBuilder()
          .setId(components.appId())
          .setRuntimeVersion(runtimeVersion)
          .putExtendedMetadata("runtime", "layotto-java");
      for (ComponentInfo info : components.infos()) {
        response.addRegisteredComponents(registered(info));
      }
      return response.build();
    });
  }

  /** Dapr's view of a component: type {@code <block>.<type>}, version {@code v1}, capabilities upper-case. */
  static DaprMetadataProtos.RegisteredComponents registered(ComponentInfo info) {
    List<String> capabilities = new ArrayList<>();
    for (String capability : info.capabilities()) {
      capabilities.add(capability.toUpperCase(Locale.ROOT));
    }
    capabilities.sort(null);
    return DaprMetadataProtos.RegisteredComponents.newBuilder()
        .setName(info.name())
        .setType(daprBlockName(info.block()) + "." + info.type())
        .setVersion("v1")
        .addAllCapabilities(capabilities)
        .build();
  }

  /** The building block part of a Dapr component type, e.g. {@code state} in {@code state.redis}. */
  static String daprBlockName(BuildingBlock block) {
    return switch (block) {
      case STATE -> "state";
      case PUBSUB -> "pubsub";
      case LOCK -> "lock";
      case SEQUENCER -> "sequencer";
      case CONFIGURATION -> "configuration";
      case FILE -> "file";
      case SECRETS -> "secretstores";
      case BINDINGS -> "bindings";
    };
  }

  private static SetRequest setRequest(CommonProtos.StateItem item) {
    return new SetRequest(item.getKey(), item.getValue().toByteArray(), item.getEtag().getValue(),
        item.getMetadataMap(), options(item.getOptions()));
  }

  private static String etagOf(StateValue value) {
    return value.etag() == null ? "" : value.etag();
  }

  // Unknown enum numbers count as unspecified, as in Dapr.
  private static StateOptions options(CommonProtos.StateOptions options) {
    Concurrency concurrency = switch (options.getConcurrency()) {
      case CONCURRENCY_FIRST_WRITE -> Concurrency.FIRST_WRITE;
      case CONCURRENCY_LAST_WRITE -> Concurrency.LAST_WRITE;
      default -> Concurrency.UNSPECIFIED;
    };
    return new StateOptions(concurrency, consistency(options.getConsistency()));
  }

  private static Consistency consistency(CommonProtos.StateOptions.StateConsistency consistency) {
    return switch (consistency) {
      case CONSISTENCY_EVENTUAL -> Consistency.EVENTUAL;
      case CONSISTENCY_STRONG -> Consistency.STRONG;
      default -> Consistency.UNSPECIFIED;
    };
  }
}
