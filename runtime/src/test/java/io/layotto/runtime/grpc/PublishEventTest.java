package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.testing.PubSubFixture;
import io.layotto.runtime.testing.TestPubSub;
import io.layotto.runtime.testing.TestPubSubFactory;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** PublishEvent through Layotto's and Dapr's API: validation statuses, envelope, component errors. */
class PublishEventTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG = """
      {"app": {"app_id": "shop"},
       "pub_subs": {"ps": {"type": "test-pubsub", "metadata": {"maxPayloadBytes": "100"}},
                    "broken": {"type": "test-pubsub", "metadata": {"failPublish": "true"}}}}
      """;

  private final TestPubSubFactory factory = new TestPubSubFactory();
  private LoadedComponents components;
  private InProcessApi api;

  /** One publish call through either API. */
  interface Publisher {
    void publish(InProcessApi api, String pubsub, String topic, byte[] data, String contentType, Metadata headers);
  }

  static Stream<Publisher> apis() {
    Publisher layotto = (api, pubsub, topic, data, contentType, headers) ->
        RuntimeGrpc.newBlockingStub(api.channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .publishEvent(RuntimeProto.PublishEventRequest.newBuilder().setPubsubName(pubsub).setTopic(topic)
                .setData(ByteString.copyFrom(data)).setDataContentType(contentType).build());
    Publisher dapr = (api, pubsub, topic, data, contentType, headers) ->
        DaprGrpc.newBlockingStub(api.channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder().setPubsubName(pubsub).setTopic(topic)
                .setData(ByteString.copyFrom(data)).setDataContentType(contentType).build());
    Publisher daprBulk = (api, pubsub, topic, data, contentType, headers) -> {
      var response = DaprGrpc.newBlockingStub(api.channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .bulkPublishEventAlpha1(DaprPubsubProtos.BulkPublishRequest.newBuilder().setPubsubName(pubsub)
              .setTopic(topic).addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("e1")
                  .setEvent(ByteString.copyFrom(data)).setContentType(contentType)).build());
      if (response.getFailedEntriesCount() > 0) {
        throw Status.UNAVAILABLE.withDescription(response.getFailedEntries(0).getError()).asRuntimeException();
      }
    };
    return Stream.of(layotto, dapr, daprBulk);
  }

  private void start(String config) {
    components = PubSubFixture.load(config, factory);
    api = new InProcessApi(components);
  }

  @AfterEach
  void close() {
    if (api != null) {
      api.close();
    }
    if (components != null) {
      components.close();
    }
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, Consumer<String> message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      message.accept(e.getStatus().getDescription());
    });
  }

  @ParameterizedTest
  @MethodSource("apis")
  void publishesACloudEventCarryingTheTraceparent(Publisher publisher) throws IOException {
    start(CONFIG);
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-abc-def-01");

    publisher.publish(api, "ps", "orders", "{\"n\":1}".getBytes(), "application/json", headers);

    TestPubSub broker = factory.created().getFirst();
    assertThat(broker.published).hasSize(1);
    assertThat(broker.published.getFirst().topic()).isEqualTo("orders");
    JsonNode event = JSON.readTree(broker.published.getFirst().data());
    assertThat(event.get("data").get("n").asInt()).isEqualTo(1);
    assertThat(event.get("source").asText()).isEqualTo("shop");
    assertThat(event.get("pubsubname").asText()).isEqualTo("ps");
    assertThat(event.get("traceparent").asText()).isEqualTo("00-abc-def-01");
  }

  @ParameterizedTest
  @MethodSource("apis")
  void badRequestsGetPreciseStatuses(Publisher publisher) {
    start(CONFIG);
    Metadata none = new Metadata();
    byte[] data = "x".getBytes();

    assertStatus(() -> publisher.publish(api, "", "orders", data, "", none), Status.Code.INVALID_ARGUMENT,
        m -> assertThat(m).contains("pubsub_name").contains("[ps, broken]"));
    assertStatus(() -> publisher.publish(api, "nope", "orders", data, "", none), Status.Code.INVALID_ARGUMENT,
        m -> assertThat(m).contains("'nope'").contains("not found").contains("[ps, broken]"));
    assertStatus(() -> publisher.publish(api, "ps", "", data, "", none), Status.Code.INVALID_ARGUMENT,
        m -> assertThat(m).contains("topic is empty"));
    assertStatus(() -> publisher.publish(api, "ps", "orders", new byte[101], "", none),
        Status.Code.RESOURCE_EXHAUSTED, m -> assertThat(m).contains("101 bytes").contains("100"));
    assertStatus(() -> publisher.publish(api, "ps", "orders", "[".getBytes(), "application/cloudevents+json", none),
        Status.Code.INVALID_ARGUMENT, m -> assertThat(m).contains("cannot create cloudevent"));
    assertStatus(() -> publisher.publish(api, "broken", "orders", data, "", none), Status.Code.UNAVAILABLE,
        m -> assertThat(m).contains("orders").contains("broken").contains("refuses"));
    assertThat(factory.created().getFirst().published).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("apis")
  void withoutPubSubsPublishingIsAFailedPrecondition(Publisher publisher) {
    start("{\"app\": {\"app_id\": \"shop\"}}");

    assertStatus(() -> publisher.publish(api, "ps", "orders", new byte[1], "", new Metadata()),
        Status.Code.FAILED_PRECONDITION, m -> assertThat(m).contains("pub_subs"));
  }

  @Test
  void bulkPublishPublishesEveryEntryAndChecksEntryIds() throws IOException {
    start(CONFIG);
    var stub = DaprGrpc.newBlockingStub(api.channel);
    var request = DaprPubsubProtos.BulkPublishRequest.newBuilder().setPubsubName("ps").setTopic("t")
        .addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("1")
            .setEvent(ByteString.copyFromUtf8("a")).setContentType("text/plain"))
        .addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("2")
            .setEvent(ByteString.copyFromUtf8("b")).setContentType("text/plain").putMetadata("rawPayload", "true"));

    assertThat(stub.bulkPublishEvent(request.build()).getFailedEntriesCount()).isZero();
    TestPubSub broker = factory.created().getFirst();
    assertThat(JSON.readTree(broker.published.get(0).data()).get("data").asText()).isEqualTo("a");
    assertThat(broker.published.get(1).data()).isEqualTo("b".getBytes());

    request.addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("2"));
    assertStatus(() -> stub.bulkPublishEvent(request.build()), Status.Code.INVALID_ARGUMENT,
        m -> assertThat(m).contains("entry_id"));
    var failing = DaprPubsubProtos.BulkPublishRequest.newBuilder().setPubsubName("broken").setTopic("t")
        .addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("x")
            .setEvent(ByteString.copyFromUtf8("a")))
        .build();
    var response = stub.bulkPublishEventAlpha1(failing);
    assertThat(response.getFailedEntriesList()).singleElement()
        .satisfies(f -> assertThat(f.getEntryId()).isEqualTo("x"))
        .satisfies(f -> assertThat(f.getError()).contains("refuses"));
  }
}
