package io.layotto.runtime.grpc.layotto;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.configuration.ConfigurationApi;
import io.layotto.runtime.configuration.ConfigurationStream;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.runtime.grpc.NotYetAvailable;
import io.layotto.runtime.grpc.TraceHeaders;
import io.layotto.runtime.grpc.Unary;
import io.layotto.runtime.grpc.state.StateApi;
import io.layotto.runtime.lock.LockApi;
import io.layotto.spi.lock.LockStatus;
import io.layotto.runtime.pubsub.AppAnswers;
import io.layotto.spi.pubsub.delivery.AppAnswer;
import io.layotto.runtime.pubsub.PubSubServices;
import io.layotto.runtime.pubsub.SubscriptionManager;
import io.layotto.runtime.pubsub.TopicEvent;
import io.layotto.runtime.pubsub.TopicEventStream;
import io.layotto.runtime.sequencer.SequencerApi;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.Concurrency;
import io.layotto.spi.state.Consistency;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.StateValue;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * Layotto's {@code spec.proto.runtime.v1.Runtime} service: {@code SayHello}, the state rpcs
 * (through {@link StateApi}), pub/sub, lock, sequencer and configuration (through
 * {@link ConfigurationApi}). The rpcs of building blocks not built yet answer UNIMPLEMENTED naming
 * the building block (see {@link #definition}).
 */
public final class LayottoRuntimeService extends RuntimeGrpc.RuntimeImplBase {

  private static final Set<String> IMPLEMENTED = Set.of("SayHello", "GetState", "GetBulkState", "SaveState",
      "DeleteState", "DeleteBulkState", "ExecuteStateTransaction", "PublishEvent", "SubscribeTopicEvents",
      "TryLock", "Unlock", "LockKeepAlive", "GetNextId", "GetConfiguration", "SaveConfiguration",
      "DeleteConfiguration", "SubscribeConfiguration");

  /** The building block each not-yet-served rpc belongs to, for the UNIMPLEMENTED message. */
  private static final Map<String, String> BUILDING_BLOCKS = Map.ofEntries(
      Map.entry("InvokeService", "service invocation (rpc)"),
      Map.entry("GetFile", "file"),
      Map.entry("PutFile", "file"),
      Map.entry("ListFile", "file"),
      Map.entry("DelFile", "file"),
      Map.entry("GetFileMeta", "file"),
      Map.entry("InvokeBinding", "bindings"),
      Map.entry("GetSecret", "secrets"),
      Map.entry("GetBulkSecret", "secrets"));

  private final LoadedComponents components;
  private final StateApi state;
  private final PubSubServices pubSub;
  private final LockApi lock;
  private final SequencerApi sequencer;
  private final ConfigurationApi configuration;
  /** Where streaming subscriptions subscribe, unsubscribe and settle answers that may block. */
  private final Executor blocking;

  public LayottoRuntimeService(LoadedComponents components, StateApi state) {
    this(components, state, PubSubServices.over(components));
  }

  public LayottoRuntimeService(LoadedComponents components, StateApi state, PubSubServices pubSub) {
    this(components, state, pubSub, Runnable::run);
  }

  /**
   * @param blocking where the handlers that run on the event loop ({@link
   *     io.layotto.runtime.grpc.ApiServices#EVENT_LOOP_METHODS}) call components that may block
   */
  public LayottoRuntimeService(LoadedComponents components, StateApi state, PubSubServices pubSub, Executor blocking) {
    this.components = components;
    this.state = state;
    this.pubSub = pubSub;
    this.lock = new LockApi(components, blocking);
    this.sequencer = new SequencerApi(components, blocking);
    this.configuration = new ConfigurationApi(components);
    this.blocking = blocking;
  }

  /** The service with UNIMPLEMENTED answers naming the building block for every rpc not served yet. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state) {
    return definition(components, state, PubSubServices.over(components));
  }

  /** As {@link #definition(LoadedComponents, StateApi)}, publishing and subscribing through {@code pubSub}. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      PubSubServices pubSub) {
    return definition(components, state, pubSub, Runnable::run);
  }

  /** As above, with the executor for blocking component calls of the event-loop handlers. */
  public static ServerServiceDefinition definition(LoadedComponents components, StateApi state,
      PubSubServices pubSub, Executor blocking) {
    return NotYetAvailable.restrict(new LayottoRuntimeService(components, state, pubSub, blocking).bindService(),
        IMPLEMENTED, LayottoRuntimeService::notAvailableMessage);
  }

  /** Layotto's GetNextId: a missing {@code options} means WEAK, as in Layotto's code. */
  @Override
  public void getNextId(RuntimeProto.GetNextIdRequest request, StreamObserver<RuntimeProto.GetNextIdResponse> observer) {
    Unary.respondLater(observer, "GetNextId", () -> sequencer.nextIdLater(request.getStoreName(), request.getKey(),
        request.getOptions().getIncrementValue()).thenApply(id -> RuntimeProto.GetNextIdResponse.newBuilder()
        .setNextId(id).build()));
  }

  @Override
  public void publishEvent(RuntimeProto.PublishEventRequest request, StreamObserver<Empty> observer) {
    Unary.respondLater(observer, "PublishEvent", () -> pubSub.publisher().publishLater(request.getPubsubName(),
        request.getTopic(), request.getData().toByteArray(), request.getDataContentType(), request.getMetadataMap(),
        TraceHeaders.traceparent()).thenApply(done -> Empty.getDefaultInstance()));
  }

  @Override
  public StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> subscribeTopicEvents(
      StreamObserver<RuntimeProto.SubscribeTopicEventsResponse> responses) {
    return new TopicEventStream<>(STREAM_PROTOCOL, pubSub.subscriptions(), responses, blocking);
  }

  private static final TopicEventStream.Protocol<RuntimeProto.SubscribeTopicEventsRequest,
      RuntimeProto.SubscribeTopicEventsResponse> STREAM_PROTOCOL = new TopicEventStream.Protocol<>() {
        @Override
        public SubscriptionManager.@Nullable Spec initialRequest(RuntimeProto.SubscribeTopicEventsRequest message) {
          if (!message.hasInitialRequest()) {
            return null;
          }
          var initial = message.getInitialRequest();
          return new SubscriptionManager.Spec(initial.getPubsubName(), initial.getTopic(), initial.getMetadataMap(),
              initial.hasDeadLetterTopic() ? initial.getDeadLetterTopic()
                  : initial.getMetadataMap().get(SubscriptionManager.DEAD_LETTER_TOPIC));
        }

        @Override
        public @Nullable String processedId(RuntimeProto.SubscribeTopicEventsRequest message) {
          return message.hasEventProcessed() ? message.getEventProcessed().getId() : null;
        }

        @Override
        public AppAnswer processedAnswer(RuntimeProto.SubscribeTopicEventsRequest message) {
          var processed = message.getEventProcessed();
          return processed.hasStatus() ? AppAnswers.ofStatusNumber(processed.getStatus().getStatusValue())
              : AppAnswer.RETRY;
        }

        @Override
        public RuntimeProto.SubscribeTopicEventsResponse initialResponse() {
          return RuntimeProto.SubscribeTopicEventsResponse.newBuilder()
              .setInitialResponse(RuntimeProto.SubscribeTopicEventsResponseInitial.getDefaultInstance()).build();
        }

        @Override
        public RuntimeProto.SubscribeTopicEventsResponse eventMessage(TopicEvent event) {
          return RuntimeProto.SubscribeTopicEventsResponse.newBuilder().setEventMessage(topicEventRequest(event))
              .build();
        }

        @Override
        public String rpc() {
          return "SubscribeTopicEvents";
        }
      };

  /** Layotto's {@code TopicEventRequest} for an event; extensions travel as metadata. */
  public static AppCallbackProto.TopicEventRequest topicEventRequest(TopicEvent event) {
    return AppCallbackProto.TopicEventRequest.newBuilder()
        .setId(event.id())
        .setSource(event.source())
        .setType(event.type())
        .setSpecVersion(event.specVersion())
        .setDataContentType(event.dataContentType())
        .setData(owned(event.data()))
        .setTopic(event.topic())
        .setPubsubName(event.pubsubName())
        .putAllMetadata(event.extensions())
        .build();
  }

  @Override
  public void getConfiguration(RuntimeProto.GetConfigurationRequest request,
      StreamObserver<RuntimeProto.GetConfigurationResponse> observer) {
    Unary.respond(observer, "GetConfiguration", () -> {
      var response = RuntimeProto.GetConfigurationResponse.newBuilder();
      for (ConfigurationItem item : configuration.get(new ConfigurationApi.Selection(request.getStoreName(),
          request.getAppId(), request.getGroup(), request.getLabel(), request.getKeysList(),
          request.getMetadataMap()))) {
        response.addItems(configurationItem(item));
      }
      return response.build();
    });
  }

  @Override
  public void saveConfiguration(RuntimeProto.SaveConfigurationRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "SaveConfiguration", () -> {
      configuration.save(request.getStoreName(), request.getAppId(), request.getItemsList().stream()
          .map(i -> new ConfigurationApi.ItemInput(i.getKey(), i.getContent(), i.getGroup(), i.getLabel(),
              i.getTagsMap()))
          .toList(), request.getMetadataMap());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void deleteConfiguration(RuntimeProto.DeleteConfigurationRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "DeleteConfiguration", () -> {
      configuration.delete(new ConfigurationApi.Selection(request.getStoreName(), request.getAppId(),
          request.getGroup(), request.getLabel(), request.getKeysList(), request.getMetadataMap()));
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public StreamObserver<RuntimeProto.SubscribeConfigurationRequest> subscribeConfiguration(
      StreamObserver<RuntimeProto.SubscribeConfigurationResponse> responses) {
    return new ConfigurationStream<>(CONFIGURATION_PROTOCOL, configuration, responses);
  }

  private static final ConfigurationStream.Protocol<RuntimeProto.SubscribeConfigurationRequest,
      RuntimeProto.SubscribeConfigurationResponse> CONFIGURATION_PROTOCOL = new ConfigurationStream.Protocol<>() {
        @Override
        public ConfigurationApi.Selection selection(RuntimeProto.SubscribeConfigurationRequest message) {
          return new ConfigurationApi.Selection(message.getStoreName(), message.getAppId(), message.getGroup(),
              message.getLabel(), message.getKeysList(), message.getMetadataMap());
        }

        @Override
        public RuntimeProto.SubscribeConfigurationResponse changed(ConfigurationApi.Target target,
            ConfigurationItem item) {
          return RuntimeProto.SubscribeConfigurationResponse.newBuilder()
              .setStoreName(target.storeName())
              .setAppId(target.appId())
              .addItems(configurationItem(item))
              .build();
        }

        @Override
        public String rpc() {
          return "SubscribeConfiguration";
        }
      };

  /** Layotto's item; a deleted item has empty content and no tags. */
  static RuntimeProto.ConfigurationItem configurationItem(ConfigurationItem item) {
    return RuntimeProto.ConfigurationItem.newBuilder()
        .setKey(item.key())
        .setContent(item.content())
        .setGroup(item.group())
        .setLabel(item.label())
        .putAllTags(item.tags())
        .build();
  }

  static String notAvailableMessage(String method) {
    String block = BUILDING_BLOCKS.get(method);
    return block == null
        ? method + ": this rpc is not available in this build yet"
        : method + ": the " + block + " building block is not available in this build yet";
  }

  /**
   * Greets from a configured {@code hellos} component. An empty or unknown {@code service_name} is
   * INVALID_ARGUMENT (the caller named something that is not configured, as for an unknown state
   * store) and lists the configured ones; no {@code hellos} at all is FAILED_PRECONDITION.
   */
  @Override
  public void sayHello(RuntimeProto.SayHelloRequest request, StreamObserver<RuntimeProto.SayHelloResponse> observer) {
    Unary.respond(observer, "SayHello", () -> {
      Map<String, String> hellos = components.hellos();
      if (hellos.isEmpty()) {
        throw ApiErrors.failedPrecondition("no hello component is configured (grpc_config.hellos is empty)");
      }
      String name = request.getServiceName();
      if (name.isEmpty()) {
        throw ApiErrors.invalidArgument("service_name is empty; configured hellos: " + hellos.keySet());
      }
      String greeting = hellos.get(name);
      if (greeting == null) {
        throw ApiErrors.invalidArgument("hello component '" + name + "' (service_name) is not found; configured hellos: "
            + hellos.keySet());
      }
      String hello = request.getName().isEmpty() ? greeting : greeting + ", " + request.getName();
      var response = RuntimeProto.SayHelloResponse.newBuilder().setHello(hello);
      if (request.hasData()) {
        response.setData(request.getData());
      }
      return response.build();
    });
  }

  @Override
  public void tryLock(RuntimeProto.TryLockRequest request, StreamObserver<RuntimeProto.TryLockResponse> observer) {
    Unary.respondLater(observer, "TryLock", () -> lock.tryLockLater(request.getStoreName(), request.getResourceId(),
        request.getLockOwner(), request.getExpire(), "expire")
        .thenApply(taken -> RuntimeProto.TryLockResponse.newBuilder().setSuccess(taken).build()));
  }

  @Override
  public void unlock(RuntimeProto.UnlockRequest request, StreamObserver<RuntimeProto.UnlockResponse> observer) {
    Unary.respondLater(observer, "Unlock", () -> lock.unlockLater(request.getStoreName(), request.getResourceId(),
        request.getLockOwner()).thenApply(status -> RuntimeProto.UnlockResponse.newBuilder().setStatus(switch (status) {
          case SUCCESS -> RuntimeProto.UnlockResponse.Status.SUCCESS;
          case LOCK_UNEXIST -> RuntimeProto.UnlockResponse.Status.LOCK_UNEXIST;
          case LOCK_BELONG_TO_OTHERS -> RuntimeProto.UnlockResponse.Status.LOCK_BELONG_TO_OTHERS;
        }).build()));
  }

  /** Unlike Layotto's stub, this extends the lease in the store, for the owner only. */
  @Override
  public void lockKeepAlive(RuntimeProto.LockKeepAliveRequest request,
      StreamObserver<RuntimeProto.LockKeepAliveResponse> observer) {
    Unary.respond(observer, "LockKeepAlive", () -> {
      LockStatus status = lock.keepAlive(request.getStoreName(), request.getResourceId(), request.getLockOwner(),
          request.getExpire());
      return RuntimeProto.LockKeepAliveResponse.newBuilder().setStatus(switch (status) {
        case SUCCESS -> RuntimeProto.LockKeepAliveResponse.Status.SUCCESS;
        case LOCK_UNEXIST -> RuntimeProto.LockKeepAliveResponse.Status.LOCK_UNEXIST;
        case LOCK_BELONG_TO_OTHERS -> RuntimeProto.LockKeepAliveResponse.Status.LOCK_BELONG_TO_OTHERS;
      }).build();
    });
  }

  @Override
  public void getState(RuntimeProto.GetStateRequest request, StreamObserver<RuntimeProto.GetStateResponse> observer) {
    Unary.respondLater(observer, "GetState", () -> {
      GetRequest get = new GetRequest(request.getKey(), consistency(request.getConsistency()),
          request.getMetadataMap());
      return state.getLater(request.getStoreName(), get).thenApply(found -> {
        var response = RuntimeProto.GetStateResponse.newBuilder();
        found.ifPresent(value -> response
            .setData(owned(value.data()))
            .setEtag(etagOf(value))
            .putAllMetadata(value.metadata()));
        return response.build();
      });
    });
  }

  @Override
  public void getBulkState(RuntimeProto.GetBulkStateRequest request,
      StreamObserver<RuntimeProto.GetBulkStateResponse> observer) {
    Unary.respond(observer, "GetBulkState", () -> {
      var response = RuntimeProto.GetBulkStateResponse.newBuilder();
      for (BulkGetItem item : state.bulkGet(request.getStoreName(), request.getKeysList(), request.getMetadataMap())) {
        var out = RuntimeProto.BulkStateItem.newBuilder().setKey(item.key());
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
  public void saveState(RuntimeProto.SaveStateRequest request, StreamObserver<Empty> observer) {
    Unary.respondLater(observer, "SaveState", () -> state.saveLater(request.getStoreName(),
            request.getStatesList().stream().map(LayottoRuntimeService::setRequest).toList())
        .thenApply(done -> Empty.getDefaultInstance()));
  }

  @Override
  public void deleteState(RuntimeProto.DeleteStateRequest request, StreamObserver<Empty> observer) {
    Unary.respondLater(observer, "DeleteState", () -> state.deleteLater(request.getStoreName(),
        new DeleteRequest(request.getKey(), request.getEtag().getValue(), request.getMetadataMap(),
            options(request.getOptions()))).thenApply(done -> Empty.getDefaultInstance()));
  }

  @Override
  public void deleteBulkState(RuntimeProto.DeleteBulkStateRequest request, StreamObserver<Empty> observer) {
    Unary.respond(observer, "DeleteBulkState", () -> {
      state.deleteBulk(request.getStoreName(), request.getStatesList().stream()
          .map(item -> new DeleteRequest(item.getKey(), item.getEtag().getValue(), item.getMetadataMap(),
              options(item.getOptions())))
          .toList());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void executeStateTransaction(RuntimeProto.ExecuteStateTransactionRequest request,
      StreamObserver<Empty> observer) {
    Unary.respond(observer, "ExecuteStateTransaction", () -> {
      state.transact(request.getStoreName(), request.getOperationsList().stream()
          .map(op -> new StateApi.TransactionItem(op.getOperationType(),
              op.hasRequest() ? setRequest(op.getRequest()) : null))
          .toList(), request.getMetadataMap());
      return Empty.getDefaultInstance();
    });
  }

  private static SetRequest setRequest(RuntimeProto.StateItem item) {
    return new SetRequest(item.getKey(), item.getValue().toByteArray(), item.getEtag().getValue(),
        item.getMetadataMap(), options(item.getOptions()));
  }

  private static String etagOf(StateValue value) {
    return value.etag() == null ? "" : value.etag();
  }

  // Unknown enum numbers count as unspecified, as in Layotto and Dapr.
  private static StateOptions options(RuntimeProto.StateOptions options) {
    Concurrency concurrency = switch (options.getConcurrency()) {
      case CONCURRENCY_FIRST_WRITE -> Concurrency.FIRST_WRITE;
      case CONCURRENCY_LAST_WRITE -> Concurrency.LAST_WRITE;
      default -> Concurrency.UNSPECIFIED;
    };
    return new StateOptions(concurrency, consistency(options.getConsistency()));
  }

  private static Consistency consistency(RuntimeProto.StateOptions.StateConsistency consistency) {
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
