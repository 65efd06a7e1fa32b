package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.layotto.components.kafka.EmbeddedKafka;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventRequest;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse.TopicEventResponseStatus;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * The Kafka pub/sub as a user reaches it: a sidecar configured with {@code type: kafka} against a
 * real broker (in the test JVM, KRaft), Layotto's and Dapr's publish calls, Layotto streaming
 * subscriptions answering RETRY and SUCCESS, an event left unanswered by a closed stream going to
 * the group's next stream, and the errors a client gets for bad input.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class KafkaPubSubE2ETest {

  private static final String PUBSUB = "kafka_ps";
  private static final String APP_ID = "kafka-e2e-app";

  @Test
  void publishAndStreamThroughTheSidecar() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.launch();
        SidecarProcess sidecar = SidecarProcess.start(SidecarConfig.defaults().withAppId(APP_ID)
            .withPubSub(PUBSUB, "kafka", Map.of(
                "brokers", kafka.bootstrapServers(),
                // the streaming API answers the initial request before the subscription is live, so a
                // new group must start at the oldest offset not to miss what is published right after
                "initialOffset", "oldest",
                "maxMessageBytes", "65536",
                "heartbeatInterval", "500ms",
                "sessionTimeout", "6s",
                "backoffInitialInterval", "50ms")))) {
      JsonNode component = componentInfo(sidecar.info().json(), PUBSUB);
      assertThat(component.path("type").asText()).isEqualTo("kafka");
      assertThat(component.path("capabilities").toString()).contains("bulk_publish").doesNotContain("ordering");

      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try {
        String topic = "orders-" + UUID.randomUUID();
        Subscriber first = new Subscriber(channel, topic);

        // Dapr publish: RETRY brings the same event (same id) back, SUCCESS ends it
        DaprGrpc.newBlockingStub(channel).publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder()
            .setPubsubName(PUBSUB).setTopic(topic).setData(ByteString.copyFromUtf8("{\"n\":1}"))
            .setDataContentType("application/json").build());
        TopicEventRequest event = first.next();
        assertThat(event.getData().toStringUtf8()).isEqualTo("{\"n\":1}");
        assertThat(event.getSource()).isEqualTo(APP_ID);
        assertThat(event.getTopic()).isEqualTo(topic);
        first.answer(event, TopicEventResponseStatus.RETRY);
        TopicEventRequest retried = first.next();
        assertThat(retried.getId()).isEqualTo(event.getId());
        first.answer(retried, TopicEventResponseStatus.SUCCESS);

        // Layotto publish and Dapr bulk publish
        RuntimeGrpc.newBlockingStub(channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
            .setPubsubName(PUBSUB).setTopic(topic).setData(ByteString.copyFromUtf8("layotto"))
            .setDataContentType("text/plain").build());
        DaprPubsubProtos.BulkPublishRequest.Builder bulk = DaprPubsubProtos.BulkPublishRequest.newBuilder()
            .setPubsubName(PUBSUB).setTopic(topic);
        for (int i = 0; i < 3; i++) {
          bulk.addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("e" + i)
              .setEvent(ByteString.copyFromUtf8("bulk-" + i)).setContentType("text/plain"));
        }
        assertThat(DaprGrpc.newBlockingStub(channel).bulkPublishEvent(bulk.build()).getFailedEntriesCount())
            .isZero();
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          TopicEventRequest next = first.next();
          received.add(next.getData().toStringUtf8());
          first.answer(next, TopicEventResponseStatus.SUCCESS);
        }
        assertThat(received).containsExactlyInAnyOrder("layotto", "bulk-0", "bulk-1", "bulk-2");

        // an event the first stream never answers goes to the group's next stream when it closes
        DaprGrpc.newBlockingStub(channel).publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder()
            .setPubsubName(PUBSUB).setTopic(topic).setData(ByteString.copyFromUtf8("unanswered"))
            .setDataContentType("text/plain").build());
        TopicEventRequest unanswered = first.next();
        assertThat(unanswered.getData().toStringUtf8()).isEqualTo("unanswered");
        first.call.cancel("the app goes away", null);
        Subscriber second = new Subscriber(channel, topic);
        TopicEventRequest again = second.next();
        assertThat(again.getId()).isEqualTo(unanswered.getId());
        second.answer(again, TopicEventResponseStatus.SUCCESS);
        assertThat(second.events.poll(2, TimeUnit.SECONDS)).as("nothing else: acked events stay acked").isNull();
        second.requests.onCompleted();

        // bad input
        assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> DaprGrpc.newBlockingStub(channel).publishEvent(
            DaprPubsubProtos.PublishEventRequest.newBuilder().setPubsubName(PUBSUB).setTopic("bad topic")
                .setData(ByteString.copyFromUtf8("x")).build()), "bad topic");
        assertFailsWith(Status.Code.RESOURCE_EXHAUSTED, () -> RuntimeGrpc.newBlockingStub(channel).publishEvent(
            RuntimeProto.PublishEventRequest.newBuilder().setPubsubName(PUBSUB).setTopic(topic)
                .setData(ByteString.copyFrom(new byte[100_000])).setDataContentType("application/octet-stream")
                .build()), "maxMessageBytes");
      } catch (AssertionError | RuntimeException e) {
        // the sidecar is closed before SidecarLogsOnFailure runs: show its logs here
        System.out.println("[kafka e2e failed] " + sidecar.logs());
        throw e;
      } finally {
        GrpcClients.close(channel);
      }
      sidecar.stop();
    }
  }

  private static JsonNode componentInfo(JsonNode info, String name) {
    for (JsonNode component : info.path("components")) {
      if (component.path("name").asText().equals(name)) {
        return component;
      }
    }
    throw new AssertionError("component " + name + " not in " + info);
  }

  /** A Layotto streaming subscriber. */
  private static final class Subscriber {
    final BlockingQueue<TopicEventRequest> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> call;
    final StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests;

    Subscriber(ManagedChannel channel, String topic) throws Exception {
      requests = RuntimeGrpc.newStub(channel).subscribeTopicEvents(new ClientResponseObserver<
          RuntimeProto.SubscribeTopicEventsRequest, RuntimeProto.SubscribeTopicEventsResponse>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> c) {
          call = c;
        }

        @Override
        public void onNext(RuntimeProto.SubscribeTopicEventsResponse response) {
          if (response.hasInitialResponse()) {
            ready.complete(null);
          } else {
            events.add(response.getEventMessage());
          }
        }

        @Override
        public void onError(Throwable t) {
          ready.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {}
      });
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
          RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName(PUBSUB).setTopic(topic)).build());
      ready.get(60, TimeUnit.SECONDS);
    }

    TopicEventRequest next() throws InterruptedException {
      TopicEventRequest event = events.poll(30, TimeUnit.SECONDS);
      assertThat(event).as("an event within 30 s").isNotNull();
      return event;
    }

    void answer(TopicEventRequest event, TopicEventResponseStatus status) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
          RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(event.getId())
              .setStatus(TopicEventResponse.newBuilder().setStatus(status))).build());
    }
  }
}
