package io.layotto.runtime.grpc.dapr;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.dapr.v1.CommonProtos;
import io.dapr.v1.DaprAppCallbackProtos;
import io.dapr.v1.DaprPubsubProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprLockProtos;
import io.dapr.v1.DaprMetadataProtos;
import io.dapr.v1.DaprStateProtos;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.configuration.ConfigurationApi;
import io.layotto.runtime.configuration.DaprSubscriptions;
import io.layotto.spi.configuration.ConfigurationItem;
import io.dapr.v1.DaprConfigurationProtos;
import java.util.Map;
import io.layotto.runtime.grpc.NotYetAvailable;
import io.layotto.runtime.grpc.TraceHeaders;
import io.layotto.runtime.grpc.Unary;
import io.layotto.runtime.grpc.state.StateApi;
import io.layotto.runtime.lock.LockApi;
import io.layotto.spi.lock.LockStatus;
import io.layotto.runtime.pubsub.AppAnswers;
import io.layotto.spi.pubsub.delivery.AppAnswer;
import io.layotto.runtime.pubsub.PubSubApi;
import io.layotto.runtime.pubsub.PubSubServices;
import io.layotto.runtime.pubsub.SubscriptionManager;
import io.layotto.runtime.pubsub.TopicEvent;
import io.layotto.runtime.pubsub.TopicEventStream;
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
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Dapr's {@code dapr.proto.runtime.v1.Dapr} service, so that Dapr SDKs work unchanged against the
 * sidecar: the state rpcs (through {@link StateApi}), pub/sub, configuration (through
 * {@link ConfigurationApi}) and {@code GetMetadata}. Every other rpc answers
 * UNIMPLEMENTED (see {@link #definition}).
 */
public final class DaprApiService extends DaprGrpc.DaprImplBase {

  private static final Set<String> IMPLEMENTED = Set.of("GetState", "GetBulkState", "SaveState", "DeleteState",
      "DeleteBulkState", "ExecuteStateTransaction", "GetMetadata", "PublishEvent", "BulkPublishEventAlpha1",
      "BulkPublishEvent", "SubscribeTopicEventsAlpha1", "TryLockAlpha1", "UnlockAlpha1", "GetConfiguration",
      "GetConfigurationAlpha1", "SubscribeConfiguration", "SubscribeConfigurationAlpha1", "UnsubscribeConfiguration",
      "UnsubscribeConfigurationAlpha1");

  /** Request metadata keys that pick a Layotto group and label (Dapr's API has neither). */
  public static final String GROUP_METADATA = "group";
  public static final String LABEL_METADATA = "label";

  private final LoadedComponents components;
  private final StateApi state;
  private final String runtimeVersion;
  private final PubSubServices pubSub;
  private final LockApi lock;
  private final ConfigurationApi configuration;
  /** Where streaming subscriptions subscribe, unsubscribe and settle answers that may block. */
  private final Executor blocking;
  private final DaprSubscriptions configurationSubscriptions;

  public DaprApiService(LoadedComponents components, StateApi state, String runtimeVersion) {
    this(components, state, PubSubServices.over(components), runtimeVersion);
  }

  public DaprApiService(LoadedComponents components, StateApi state, PubSubServices pubSub, String runtimeVersion) {
    this(components, state, pubSub, runtimeVersion, Runnable::run);
  }

  /**
   * @param blocking where the handlers that run on the event loop ({@link
   *     io.layotto.runtime.grpc.ApiServices#EVENT_LOOP_METHODS}) call components that may block
   */
  public DaprApiService(LoadedComponents components, StateApi state, PubSubServices pubSub, String runtimeVersion,
      Executor blocking) {
    this.components = components;
    this.state = state;
    this.pubSub = pubSub;
    this.runtimeVersion = runtimeVersion;
    this.lock = new LockApi(components, blocking);
    this.configuration = new ConfigurationApi(components);
    this.configurationSubscriptions = new DaprSubscriptions(configuration);
    this.blocking = blocking;
  }

  /** The service with clear UNIMPLEMENTED answers for every rpc this build does not serve. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      String runtimeVersion) {
    return definition(components, state, PubSubServices.over(components), runtimeVersion);
  }

  /** As {@link #definition(LoadedComponents, StateApi, String)}, with pub/sub through {@code pubSub}. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      PubSubServices pubSub, String runtimeVersion) {
    return definition(components, state, pubSub, runtimeVersion, Runnable::run);
  }

  /** As above, with the executor for blocking component calls of the event-loop handlers. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      PubSubServices pubSub, String runtimeVersion, Executor blocking) {
    return NotYetAvailable.restrict(new DaprApiService(components, state, pubSub, runtimeVersion, blocking)
            .bindService(),
        IMPLEMENTED, method -> "dapr.proto.runtime.v1.Dapr/" + method
            + " is not available in this Layotto for Java build yet; the Dapr API serves "
            + IMPLEMENTED.stream().sorted().toList());
  }

  @Override
  public void getState(DaprStateProtos.GetStateRequest request,
      StreamObserver<DaprStateProtos.GetStateResponse> observer) {
    Unary.respondLater(observer, "GetState", () -> {
      GetRequest get = new GetRequest(request.getKey(), consistency(request.getConsistency()),
          request.getMetadataMap());
      return state.getLater(request.getStoreName(), get).thenApply(found -> {
        var response = DaprStateProtos.GetStateResponse.newBuilder();
        found.ifPresent(value -> response
            .setData(owned(value.data()))
            .setEtag(etagOf(value))
            .putAllMetadata(value.metadata()));
        return response.build();
      });
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
          out.setData(owned(value.data())).setEtag(etagOf(value)).putAllMetadata(value.metadata());
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
    Unary.respondLater(observer, "SaveState", () -> state.saveLater(request.getStoreName(),
            request.getStatesList().stream().map(DaprApiService::setRequest).toList())
        .thenApply(done -> Empty.getDefaultInstance()));
  }

  @Override
  public void deleteState(DaprStateProtos.DeleteStateRequest request, StreamObserver<Empty> observer) {
    Unary.respondLater(observer, "DeleteState", () -> state.deleteLater(request.getStoreName(),
        new DeleteRequest(request.getKey(), request.getEtag().getValue(), request.getMetadataMap(),
            options(request.getOptions()))).thenApply(done -> Empty.getDefaultInstance()));
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
  public void publishEvent(DaprPubsubProtos.PublishEventRequest request, StreamObserver<Empty> observer) {
    Unary.respondLater(observer, "PublishEvent", () -> pubSub.publisher().publishLater(request.getPubsubName(),
        request.getTopic(), request.getData().toByteArray(), request.getDataContentType(), request.getMetadataMap(),
        TraceHeaders.traceparent()).thenApply(done -> Empty.getDefaultInstance()));
  }

  @Override
  public void bulkPublishEventAlpha1(DaprPubsubProtos.BulkPublishRequest request,
      StreamObserver<DaprPubsubProtos.BulkPublishResponse> observer) {
    Unary.respond(observer, "BulkPublishEventAlpha1", () -> bulkPublish(request));
  }

  @Override
  public void bulkPublishEvent(DaprPubsubProtos.BulkPublishRequest request,
      StreamObserver<DaprPubsubProtos.BulkPublishResponse> observer) {
    Unary.respond(observer, "BulkPublishEvent", () -> bulkPublish(request));
  }

  private DaprPubsubProtos.BulkPublishResponse bulkPublish(DaprPubsubProtos.BulkPublishRequest request) {
    List<PubSubApi.Entry> entries = request.getEntriesList().stream()
        .map(e -> new PubSubApi.Entry(e.getEntryId(), e.getEvent().toByteArray(), e.getContentType(),
            e.getMetadataMap()))
        .toList();
    var response = DaprPubsubProtos.BulkPublishResponse.newBuilder();
    for (PubSubApi.FailedEntry failed : pubSub.publisher().bulkPublish(request.getPubsubName(), request.getTopic(),
        entries, request.getMetadataMap(), TraceHeaders.traceparent())) {
      response.addFailedEntries(DaprPubsubProtos.BulkPublishResponseFailedEntry.newBuilder()
          .setEntryId(failed.entryId()).setError(failed.error()));
    }
    return response.build();
  }

  @Override
  public StreamObserver<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1> subscribeTopicEventsAlpha1(
      StreamObserver<DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1> responses) {
    return new TopicEventStream<>(STREAM_PROTOCOL, pubSub.subscriptions(), responses, blocking);
  }

  private static final TopicEventStream.Protocol<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1,
      DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1> STREAM_PROTOCOL = new TopicEventStream.Protocol<>() {
        @Override
        public SubscriptionManager.@Nullable Spec initialRequest(
            DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1 message) {
          if (!message.hasInitialRequest()) {
            return null;
          }
          var initial = message.getInitialRequest();
          return new SubscriptionManager.Spec(initial.getPubsubName(), initial.getTopic(), initial.getMetadataMap(),
              initial.hasDeadLetterTopic() ? initial.getDeadLetterTopic()
                  : initial.getMetadataMap().get(SubscriptionManager.DEAD_LETTER_TOPIC));
        }

        @Override
        public @Nullable String processedId(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1 message) {
          return message.hasEventProcessed() ? message.getEventProcessed().getId() : null;
        }

        @Override
        public AppAnswer processedAnswer(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1 message) {
          var processed = message.getEventProcessed();
          return processed.hasStatus() ? AppAnswers.ofStatusNumber(processed.getStatus().getStatusValue())
              : AppAnswer.RETRY;
        }

        @Override
        public DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1 initialResponse() {
          return DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1.newBuilder()
              .setInitialResponse(DaprPubsubProtos.SubscribeTopicEventsResponseInitialAlpha1.getDefaultInstance())
              .build();
        }

        @Override
        public DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1 eventMessage(TopicEvent event) {
          return DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1.newBuilder()
              .setEventMessage(topicEventRequest(event, "")).build();
        }

        @Override
        public String rpc() {
          return "SubscribeTopicEventsAlpha1";
        }
      };

  /** Dapr's {@code TopicEventRequest}; extensions go into the {@code extensions} struct. */
  public static DaprAppCallbackProtos.TopicEventRequest topicEventRequest(TopicEvent event, String path) {
    Struct.Builder extensions = Struct.newBuilder();
    event.extensions().forEach((k, v) -> extensions.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return DaprAppCallbackProtos.TopicEventRequest.newBuilder()
        .setId(event.id())
        .setSource(event.source())
        .setType(event.type())
        .setSpecVersion(event.specVersion())
        .setDataContentType(event.dataContentType())
        .setData(owned(event.data()))
        .setTopic(event.topic())
        .setPubsubName(event.pubsubName())
        .setPath(path)
        .setExtensions(extensions)
        .build();
  }

  @Override
  public void tryLockAlpha1(DaprLockProtos.TryLockRequest request,
      StreamObserver<DaprLockProtos.TryLockResponse> observer) {
    Unary.respondLater(observer, "TryLockAlpha1", () -> lock.tryLockLater(request.getStoreName(),
        request.getResourceId(), request.getLockOwner(), request.getExpiryInSeconds(), "expiry_in_seconds")
        .thenApply(taken -> DaprLockProtos.TryLockResponse.newBuilder().setSuccess(taken).build()));
  }

  @Override
  public void unlockAlpha1(DaprLockProtos.UnlockRequest request,
      StreamObserver<DaprLockProtos.UnlockResponse> observer) {
    Unary.respondLater(observer, "UnlockAlpha1", () -> lock.unlockLater(request.getStoreName(),
        request.getResourceId(), request.getLockOwner()).thenApply(status -> DaprLockProtos.UnlockResponse.newBuilder()
        .setStatus(switch (status) {
          case SUCCESS -> DaprLockProtos.UnlockResponse.Status.SUCCESS;
          case LOCK_UNEXIST -> DaprLockProtos.UnlockResponse.Status.LOCK_DOES_NOT_EXIST;
          case LOCK_BELONG_TO_OTHERS -> DaprLockProtos.UnlockResponse.Status.LOCK_BELONGS_TO_OTHERS;
        }).build()));
  }

  @Override
  public void getConfiguration(DaprConfigurationProtos.GetConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.GetConfigurationResponse> observer) {
    Unary.respond(observer, "GetConfiguration", () -> getConfiguration(request));
  }

  @Override
  public void getConfigurationAlpha1(DaprConfigurationProtos.GetConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.GetConfigurationResponse> observer) {
    Unary.respond(observer, "GetConfigurationAlpha1", () -> getConfiguration(request));
  }

  private DaprConfigurationProtos.GetConfigurationResponse getConfiguration(
      DaprConfigurationProtos.GetConfigurationRequest request) {
    var response = DaprConfigurationProtos.GetConfigurationResponse.newBuilder();
    for (ConfigurationItem item : configuration.get(selection(request.getStoreName(), request.getKeysList(),
        request.getMetadataMap()))) {
      response.putItems(item.key(), configurationItem(item));
    }
    return response.build();
  }

  @Override
  public void subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.SubscribeConfigurationResponse> observer) {
    subscribeConfiguration(request, observer, "SubscribeConfiguration");
  }

  @Override
  public void subscribeConfigurationAlpha1(DaprConfigurationProtos.SubscribeConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.SubscribeConfigurationResponse> observer) {
    subscribeConfiguration(request, observer, "SubscribeConfigurationAlpha1");
  }

  /** The first message carries the subscription id and no items; then one message per changed item. */
  private void subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.SubscribeConfigurationResponse> observer, String rpc) {
    try {
      configurationSubscriptions.open(selection(request.getStoreName(), request.getKeysList(),
              request.getMetadataMap()), observer,
          id -> DaprConfigurationProtos.SubscribeConfigurationResponse.newBuilder().setId(id).build(),
          (id, item) -> DaprConfigurationProtos.SubscribeConfigurationResponse.newBuilder().setId(id)
              .putItems(item.key(), configurationItem(item)).build());
    } catch (RuntimeException e) {
      observer.onError(io.layotto.runtime.grpc.ApiErrors.toStatus(e, rpc));
    }
  }

  @Override
  public void unsubscribeConfiguration(DaprConfigurationProtos.UnsubscribeConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.UnsubscribeConfigurationResponse> observer) {
    Unary.respond(observer, "UnsubscribeConfiguration", () -> unsubscribe(request));
  }

  @Override
  public void unsubscribeConfigurationAlpha1(DaprConfigurationProtos.UnsubscribeConfigurationRequest request,
      StreamObserver<DaprConfigurationProtos.UnsubscribeConfigurationResponse> observer) {
    Unary.respond(observer, "UnsubscribeConfigurationAlpha1", () -> unsubscribe(request));
  }

  private DaprConfigurationProtos.UnsubscribeConfigurationResponse unsubscribe(
      DaprConfigurationProtos.UnsubscribeConfigurationRequest request) {
    configurationSubscriptions.close(request.getStoreName(), request.getId());
    return DaprConfigurationProtos.UnsubscribeConfigurationResponse.newBuilder().setOk(true).build();
  }

  /** Dapr names only keys: the app is the sidecar's, group and label come from metadata or default. */
  private static ConfigurationApi.Selection selection(String storeName, List<String> keys, Map<String, String> metadata) {
    return new ConfigurationApi.Selection(storeName, "", metadata.getOrDefault(GROUP_METADATA, ""),
        metadata.getOrDefault(LABEL_METADATA, ""), keys, metadata);
  }

  /** Dapr's item: content as value, the version, tags as metadata (a deleted item has an empty value). */
  static CommonProtos.ConfigurationItem configurationItem(ConfigurationItem item) {
    return CommonProtos.ConfigurationItem.newBuilder()
        .setValue(item.content())
        .setVersion(item.version())
        .putAllMetadata(item.tags())
        .build();
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

  /**
   * Wraps without copying: values and events come from the component or the envelope parser as
   * fresh arrays nobody writes to afterwards.
   */
  private static ByteString owned(byte[] bytes) {
    return com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes);
  }
}
