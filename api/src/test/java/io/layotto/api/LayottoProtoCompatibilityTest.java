package io.layotto.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FieldOptions.JSType;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.dapr.v1.DaprGrpc;
import io.grpc.MethodDescriptor.MethodType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import spec.proto.runtime.v1.AppCallbackGrpc;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.LifecycleGrpc;
import spec.proto.runtime.v1.LifecycleProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * Guards wire compatibility with the published Layotto API (mosn/layotto spec/proto/runtime/v1):
 * a renumbered field or a changed streaming shape would silently break existing Layotto SDKs.
 */
class LayottoProtoCompatibilityTest {

  private static final String PACKAGE = "spec.proto.runtime.v1";

  /** rpc name -> {client streaming, server streaming}, in the published declaration order. */
  private static Map<String, boolean[]> expectedRuntimeMethods() {
    var methods = new LinkedHashMap<String, boolean[]>();
    for (var unary : List.of("SayHello", "InvokeService", "GetConfiguration", "SaveConfiguration",
        "DeleteConfiguration")) {
      methods.put(unary, new boolean[] {false, false});
    }
    methods.put("SubscribeConfiguration", new boolean[] {true, true});
    for (var unary : List.of("TryLock", "Unlock", "LockKeepAlive", "GetNextId", "GetState",
        "GetBulkState", "SaveState", "DeleteState", "DeleteBulkState", "ExecuteStateTransaction",
        "PublishEvent")) {
      methods.put(unary, new boolean[] {false, false});
    }
    methods.put("SubscribeTopicEvents", new boolean[] {true, true});
    methods.put("GetFile", new boolean[] {false, true});
    methods.put("PutFile", new boolean[] {true, false});
    for (var unary : List.of("ListFile", "DelFile", "GetFileMeta", "InvokeBinding", "GetSecret",
        "GetBulkSecret")) {
      methods.put(unary, new boolean[] {false, false});
    }
    return methods;
  }

  @Test
  void runtimeServiceHasExactlyThePublishedRpcsWithTheirStreamingShapes() {
    ServiceDescriptor runtime = RuntimeProto.getDescriptor().findServiceByName("Runtime");
    assertThat(runtime.getFullName()).isEqualTo(PACKAGE + ".Runtime");

    var expected = expectedRuntimeMethods();
    assertThat(expected).hasSize(26);
    assertThat(runtime.getMethods()).extracting(MethodDescriptor::getName)
        .containsExactlyElementsOf(expected.keySet());
    for (MethodDescriptor method : runtime.getMethods()) {
      boolean[] shape = expected.get(method.getName());
      assertThat(method.isClientStreaming()).as("%s client streaming", method.getName())
          .isEqualTo(shape[0]);
      assertThat(method.isServerStreaming()).as("%s server streaming", method.getName())
          .isEqualTo(shape[1]);
    }
  }

  @Test
  void generatedGrpcStubsUseThePublishedFullMethodNamesAndTypes() {
    assertThat(RuntimeGrpc.SERVICE_NAME).isEqualTo(PACKAGE + ".Runtime");
    assertThat(RuntimeGrpc.getServiceDescriptor().getMethods()).hasSize(26);
    assertThat(RuntimeGrpc.getGetStateMethod().getFullMethodName())
        .isEqualTo("spec.proto.runtime.v1.Runtime/GetState");
    assertThat(RuntimeGrpc.getSubscribeConfigurationMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
    assertThat(RuntimeGrpc.getSubscribeTopicEventsMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
    assertThat(RuntimeGrpc.getGetFileMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(RuntimeGrpc.getPutFileMethod().getType()).isEqualTo(MethodType.CLIENT_STREAMING);

    assertThat(AppCallbackGrpc.SERVICE_NAME).isEqualTo(PACKAGE + ".AppCallback");
    assertThat(AppCallbackGrpc.getServiceDescriptor().getMethods())
        .extracting(io.grpc.MethodDescriptor::getFullMethodName)
        .containsExactly(PACKAGE + ".AppCallback/ListTopicSubscriptions",
            PACKAGE + ".AppCallback/OnTopicEvent");

    assertThat(LifecycleGrpc.SERVICE_NAME).isEqualTo(PACKAGE + ".Lifecycle");
    assertThat(LifecycleGrpc.getServiceDescriptor().getMethods())
        .extracting(io.grpc.MethodDescriptor::getFullMethodName)
        .containsExactly(PACKAGE + ".Lifecycle/ApplyConfiguration");
  }

  @Test
  void rpcsUseThePublishedRequestAndResponseMessages() {
    ServiceDescriptor runtime = RuntimeProto.getDescriptor().findServiceByName("Runtime");
    assertThat(runtime.findMethodByName("InvokeService").getOutputType().getName()).isEqualTo("InvokeResponse");
    assertThat(runtime.findMethodByName("ListFile").getOutputType().getName()).isEqualTo("ListFileResp");
    assertThat(runtime.findMethodByName("SaveState").getOutputType().getFullName())
        .isEqualTo("google.protobuf.Empty");
    assertThat(runtime.findMethodByName("PutFile").getOutputType().getFullName())
        .isEqualTo("google.protobuf.Empty");

    ServiceDescriptor callback = AppCallbackProto.getDescriptor().findServiceByName("AppCallback");
    assertThat(callback.findMethodByName("ListTopicSubscriptions").getInputType().getFullName())
        .isEqualTo("google.protobuf.Empty");
    assertThat(callback.findMethodByName("OnTopicEvent").getOutputType().getName())
        .isEqualTo("TopicEventResponse");

    ServiceDescriptor lifecycle = LifecycleProto.getDescriptor().findServiceByName("Lifecycle");
    assertThat(lifecycle.findMethodByName("ApplyConfiguration").getInputType().getName())
        .isEqualTo("DynamicConfiguration");
  }

  static Stream<Arguments> publishedFieldNumbers() {
    FileDescriptor rt = RuntimeProto.getDescriptor();
    FileDescriptor cb = AppCallbackProto.getDescriptor();
    FileDescriptor lc = LifecycleProto.getDescriptor();
    return Stream.of(
        // the out-of-order numbers of TopicEventRequest
        Arguments.of(cb, "TopicEventRequest", "id", 1),
        Arguments.of(cb, "TopicEventRequest", "spec_version", 4),
        Arguments.of(cb, "TopicEventRequest", "data_content_type", 5),
        Arguments.of(cb, "TopicEventRequest", "topic", 6),
        Arguments.of(cb, "TopicEventRequest", "data", 7),
        Arguments.of(cb, "TopicEventRequest", "pubsub_name", 8),
        Arguments.of(cb, "TopicEventRequest", "metadata", 10),
        Arguments.of(cb, "TopicSubscription", "metadata", 3),
        Arguments.of(cb, "TopicEventResponse", "status", 1),
        // camelCase names inherited from Dapr
        Arguments.of(rt, "ExecuteStateTransactionRequest", "storeName", 1),
        Arguments.of(rt, "ExecuteStateTransactionRequest", "operations", 2),
        Arguments.of(rt, "ExecuteStateTransactionRequest", "metadata", 3),
        Arguments.of(rt, "TransactionalStateOperation", "operationType", 1),
        Arguments.of(rt, "TransactionalStateOperation", "request", 2),
        Arguments.of(rt, "StateItem", "key", 1),
        Arguments.of(rt, "StateItem", "value", 2),
        Arguments.of(rt, "StateItem", "etag", 3),
        Arguments.of(rt, "StateItem", "metadata", 4),
        Arguments.of(rt, "StateItem", "options", 5),
        Arguments.of(rt, "GetStateRequest", "consistency", 3),
        Arguments.of(rt, "GetStateRequest", "metadata", 4),
        Arguments.of(rt, "GetStateResponse", "etag", 2),
        Arguments.of(rt, "GetBulkStateRequest", "parallelism", 3),
        Arguments.of(rt, "BulkStateItem", "error", 4),
        Arguments.of(rt, "BulkStateItem", "metadata", 5),
        Arguments.of(rt, "DeleteStateRequest", "options", 4),
        Arguments.of(rt, "DeleteStateRequest", "metadata", 5),
        Arguments.of(rt, "InvokeServiceRequest", "id", 1),
        Arguments.of(rt, "InvokeServiceRequest", "message", 3),
        Arguments.of(rt, "CommonInvokeRequest", "http_extension", 4),
        Arguments.of(rt, "TryLockRequest", "store_name", 1),
        Arguments.of(rt, "TryLockRequest", "resource_id", 2),
        Arguments.of(rt, "TryLockRequest", "lock_owner", 3),
        Arguments.of(rt, "TryLockRequest", "expire", 4),
        Arguments.of(rt, "LockKeepAliveRequest", "expire", 4),
        Arguments.of(rt, "GetNextIdRequest", "options", 3),
        Arguments.of(rt, "GetNextIdRequest", "metadata", 4),
        Arguments.of(rt, "GetNextIdResponse", "next_id", 1),
        Arguments.of(rt, "GetConfigurationRequest", "subscribe_update", 7),
        Arguments.of(rt, "ConfigurationItem", "metadata", 6),
        Arguments.of(rt, "SubscribeConfigurationResponse", "items", 3),
        Arguments.of(rt, "PublishEventRequest", "data_content_type", 4),
        Arguments.of(rt, "PublishEventRequest", "metadata", 5),
        Arguments.of(rt, "SubscribeTopicEventsRequestInitial", "dead_letter_topic", 4),
        Arguments.of(rt, "SubscribeTopicEventsRequestProcessed", "status", 2),
        Arguments.of(rt, "PutFileRequest", "metadata", 4),
        Arguments.of(rt, "ListFileResp", "is_truncated", 3),
        Arguments.of(rt, "GetFileMetaResponse", "response", 3),
        Arguments.of(rt, "InvokeBindingRequest", "operation", 4),
        Arguments.of(rt, "GetBulkSecretRequest", "metadata", 2),
        Arguments.of(lc, "DynamicConfiguration", "component_config", 1),
        Arguments.of(lc, "ComponentConfig", "metadata", 3));
  }

  @ParameterizedTest(name = "{1}.{2} = {3}")
  @MethodSource("publishedFieldNumbers")
  void fieldKeepsItsPublishedNumber(FileDescriptor file, String message, String field, int number) {
    Descriptor type = file.findMessageTypeByName(message);
    assertThat(type).as("message %s", message).isNotNull();
    FieldDescriptor descriptor = type.findFieldByName(field);
    assertThat(descriptor).as("field %s.%s", message, field).isNotNull();
    assertThat(descriptor.getNumber()).isEqualTo(number);
  }

  @Test
  void topicEventRequestLeavesNumberNineUnused() {
    Descriptor event = AppCallbackProto.TopicEventRequest.getDescriptor();
    assertThat(event.findFieldByNumber(9)).isNull();
    assertThat(event.getFields()).hasSize(9);
  }

  @Test
  void nextIdIsSerialisedAsStringForJavaScriptClients() {
    FieldDescriptor nextId = RuntimeProto.GetNextIdResponse.getDescriptor().findFieldByName("next_id");
    assertThat(nextId.getType()).isEqualTo(FieldDescriptor.Type.INT64);
    assertThat(nextId.getOptions().getJstype()).isEqualTo(JSType.JS_STRING);
  }

  @Test
  void subscribeTopicEventsMessagesUseThePublishedOneofs() {
    var request = RuntimeProto.SubscribeTopicEventsRequest.getDescriptor();
    assertThat(request.getRealOneofs()).singleElement().satisfies(oneof -> {
      assertThat(oneof.getName()).isEqualTo("subscribe_topic_events_request_type");
      assertThat(oneof.getFields()).extracting(FieldDescriptor::getName, FieldDescriptor::getNumber)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("initial_request", 1),
              org.assertj.core.groups.Tuple.tuple("event_processed", 2));
    });

    var response = RuntimeProto.SubscribeTopicEventsResponse.getDescriptor();
    assertThat(response.getRealOneofs()).singleElement().satisfies(oneof -> {
      assertThat(oneof.getName()).isEqualTo("subscribe_topic_events_response_type");
      assertThat(oneof.getFields()).extracting(FieldDescriptor::getName, FieldDescriptor::getNumber)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("initial_response", 1),
              org.assertj.core.groups.Tuple.tuple("event_message", 2));
    });
    assertThat(response.findFieldByName("event_message").getMessageType())
        .isEqualTo(AppCallbackProto.TopicEventRequest.getDescriptor());

    FieldDescriptor deadLetter = RuntimeProto.SubscribeTopicEventsRequestInitial.getDescriptor()
        .findFieldByName("dead_letter_topic");
    assertThat(deadLetter.hasPresence()).as("dead_letter_topic is proto3 optional").isTrue();
  }

  static Stream<Arguments> publishedEnumValues() {
    return Stream.of(
        Arguments.of(RuntimeProto.UnlockResponse.Status.getDescriptor(),
            List.of("SUCCESS", "LOCK_UNEXIST", "LOCK_BELONG_TO_OTHERS", "INTERNAL_ERROR")),
        Arguments.of(RuntimeProto.LockKeepAliveResponse.Status.getDescriptor(),
            List.of("SUCCESS", "LOCK_UNEXIST", "LOCK_BELONG_TO_OTHERS", "INTERNAL_ERROR")),
        Arguments.of(RuntimeProto.SequencerOptions.AutoIncrement.getDescriptor(),
            List.of("WEAK", "STRONG")),
        Arguments.of(RuntimeProto.StateOptions.StateConcurrency.getDescriptor(),
            List.of("CONCURRENCY_UNSPECIFIED", "CONCURRENCY_FIRST_WRITE", "CONCURRENCY_LAST_WRITE")),
        Arguments.of(RuntimeProto.StateOptions.StateConsistency.getDescriptor(),
            List.of("CONSISTENCY_UNSPECIFIED", "CONSISTENCY_EVENTUAL", "CONSISTENCY_STRONG")),
        Arguments.of(RuntimeProto.HTTPExtension.Verb.getDescriptor(),
            List.of("NONE", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")),
        Arguments.of(AppCallbackProto.TopicEventResponse.TopicEventResponseStatus.getDescriptor(),
            List.of("SUCCESS", "RETRY", "DROP")));
  }

  /** Each enum lists exactly the published names, numbered 0, 1, 2, ... in that order. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("publishedEnumValues")
  void enumKeepsItsPublishedValues(EnumDescriptor type, List<String> namesInNumberOrder) {
    assertThat(type.getValues()).hasSize(namesInNumberOrder.size());
    for (int number = 0; number < namesInNumberOrder.size(); number++) {
      assertThat(type.findValueByNumber(number).getName()).isEqualTo(namesInNumberOrder.get(number));
    }
  }

  @Test
  void sequencerAndUnlockEnumsMatchTheGeneratedJavaConstants() {
    assertThat(RuntimeProto.SequencerOptions.AutoIncrement.WEAK.getNumber()).isZero();
    assertThat(RuntimeProto.SequencerOptions.AutoIncrement.STRONG.getNumber()).isEqualTo(1);
    assertThat(RuntimeProto.UnlockResponse.Status.LOCK_BELONG_TO_OTHERS.getNumber()).isEqualTo(2);
  }

  @Test
  void javaOptionsMatchWhatLayottoJavaSdkExpects() {
    for (FileDescriptor file : List.of(RuntimeProto.getDescriptor(), AppCallbackProto.getDescriptor(),
        LifecycleProto.getDescriptor())) {
      assertThat(file.getPackage()).isEqualTo(PACKAGE);
      assertThat(file.getOptions().getJavaPackage()).isEqualTo(PACKAGE);
      // messages are nested in the outer class (RuntimeProto.GetStateRequest), as in the SDK
      assertThat(file.getOptions().getJavaMultipleFiles()).isFalse();
    }
    assertThat(RuntimeProto.getDescriptor().getOptions().getJavaOuterClassname()).isEqualTo("RuntimeProto");
    assertThat(AppCallbackProto.getDescriptor().getOptions().getJavaOuterClassname())
        .isEqualTo("AppCallbackProto");
    assertThat(LifecycleProto.getDescriptor().getOptions().getJavaOuterClassname())
        .isEqualTo("LifecycleProto");
  }

  @Test
  void messagesSurviveAWireRoundTrip() throws Exception {
    var original = AppCallbackProto.TopicEventRequest.newBuilder()
        .setId("id-1").setTopic("orders").setPubsubName("redis")
        .setData(com.google.protobuf.ByteString.copyFromUtf8("payload"))
        .putMetadata("k", "v")
        .build();
    var parsed = AppCallbackProto.TopicEventRequest.parseFrom(original.toByteArray());
    assertThat(parsed).isEqualTo(original);
  }

  @Test
  void daprGeneratedServiceIsOnTheClasspath() {
    assertThat(DaprGrpc.SERVICE_NAME).isEqualTo("dapr.proto.runtime.v1.Dapr");
    assertThat(DaprGrpc.getServiceDescriptor().getName()).isEqualTo("dapr.proto.runtime.v1.Dapr");
    assertThat(DaprGrpc.getGetStateMethod().getFullMethodName())
        .isEqualTo("dapr.proto.runtime.v1.Dapr/GetState");
  }
}
