package io.layotto.runtime.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.Sidecar;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.testing.TestConfigs;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** A real sidecar over the in-memory pub/sub: Dapr publishes, Layotto streams subscribe, one disconnects. */
class InMemoryStreamingTest {

  private Sidecar sidecar;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    sidecar.close();
  }

  /** A Layotto streaming subscriber. */
  private final class Subscriber {
    final BlockingQueue<AppCallbackProto.TopicEventRequest> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> call;
    final StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests;

    Subscriber(String topic) throws Exception {
      requests = RuntimeGrpc.newStub(channel).subscribeTopicEvents(new ClientResponseObserver<
          RuntimeProto.SubscribeTopicEventsRequest, RuntimeProto.SubscribeTopicEventsResponse>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> c) {
          call = c;
        }

        @Override
        public void onNext(RuntimeProto.SubscribeTopicEventsResponse r) {
          if (r.hasInitialResponse()) {
            ready.complete(null);
          } else {
            events.add(r.getEventMessage());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      });
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
          RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName("ps").setTopic(topic)).build());
      ready.get(10, TimeUnit.SECONDS);
    }

    AppCallbackProto.TopicEventRequest next() throws InterruptedException {
      var e = events.poll(15, TimeUnit.SECONDS);
      assertThat(e).as("an event within 15 s").isNotNull();
      return e;
    }
  }

  @Test
  void anEventLeftUnansweredByAClosedStreamReachesTheNextStream() throws Exception {
    sidecar = Sidecar.start(ConfigLoader.parse("test.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "app1"},
         "pub_subs": {"ps": {"type": "in-memory", "metadata": {"redeliveryDelay": "50ms"}}}}
        """)));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
    String topic = "orders-" + UUID.randomUUID();
    Subscriber first = new Subscriber(topic);

    DaprGrpc.newBlockingStub(channel).publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic(topic).setData(ByteString.copyFromUtf8("{\"n\":1}"))
        .setDataContentType("application/json").build());
    var event = first.next();
    assertThat(event.getData().toStringUtf8()).isEqualTo("{\"n\":1}");
    assertThat(event.getSource()).isEqualTo("app1");

    Subscriber second = new Subscriber(topic);
    first.call.cancel("subscriber goes away", null);

    var again = second.next();
    assertThat(again.getId()).isEqualTo(event.getId());
    second.requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
        RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(again.getId())
            .setStatus(AppCallbackProto.TopicEventResponse.newBuilder()
                .setStatus(AppCallbackProto.TopicEventResponse.TopicEventResponseStatus.SUCCESS))).build());
    assertThat(second.events.poll(500, TimeUnit.MILLISECONDS)).isNull();
    second.requests.onCompleted();
  }
}
