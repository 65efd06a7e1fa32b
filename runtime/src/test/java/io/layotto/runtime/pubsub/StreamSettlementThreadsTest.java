package io.layotto.runtime.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprAppCallbackProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.Sidecar;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.runtime.testing.ThreadProbePubSub;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * Streaming subscriptions run on the network event loop, so the sidecar must keep blocking work off
 * it: the component's subscribe always runs elsewhere; an answer (event_processed) is settled on the
 * loop it arrived on only when the component settles without blocking ({@code NonBlockingPubSub}),
 * and on a handler thread otherwise.
 */
class StreamSettlementThreadsTest {

  private static final String EVENT_LOOP = "layotto-io-";

  private Sidecar sidecar;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (sidecar != null) {
      sidecar.close();
    }
  }

  private void start(String type) {
    sidecar = Sidecar.start(ConfigLoader.parse("test.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "app1"}, "pub_subs": {"ps": {"type": "%s"}}}
        """.formatted(type))));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
  }

  @ParameterizedTest
  @CsvSource({"test-probe-nonblocking, true", "test-probe-blocking, false"})
  void subscribesOffTheEventLoopAndSettlesOnItOnlyForANonBlockingComponent(String type, boolean onTheLoop)
      throws Exception {
    start(type);
    String topic = "t-" + UUID.randomUUID();

    String settledOn = roundTripThroughLayotto(topic);

    assertThat(ThreadProbePubSub.SUBSCRIBED_ON.get(topic)).doesNotStartWith(EVENT_LOOP);
    assertThat(settledOn.startsWith(EVENT_LOOP)).as("settled on %s", settledOn).isEqualTo(onTheLoop);
  }

  @Test
  void daprStreamsSettleAsLayottoStreamsDo() throws Exception {
    start("test-probe-nonblocking");
    String topic = "t-" + UUID.randomUUID();
    BlockingQueue<DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1> received = new LinkedBlockingQueue<>();
    StreamObserver<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1> requests = DaprGrpc.newStub(channel)
        .subscribeTopicEventsAlpha1(collectInto(received));
    requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setInitialRequest(
        DaprPubsubProtos.SubscribeTopicEventsRequestInitialAlpha1.newBuilder().setPubsubName("ps").setTopic(topic))
        .build());
    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull().matches(r -> r.hasInitialResponse());

    DaprGrpc.newBlockingStub(channel).publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic(topic).setData(ByteString.copyFromUtf8("{\"n\":1}"))
        .setDataContentType("application/json").build());
    var event = received.poll(10, TimeUnit.SECONDS);
    assertThat(event).isNotNull();
    requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setEventProcessed(
        DaprPubsubProtos.SubscribeTopicEventsRequestProcessedAlpha1.newBuilder().setId(event.getEventMessage().getId())
            .setStatus(DaprAppCallbackProtos.TopicEventResponse.newBuilder().setStatus(
                DaprAppCallbackProtos.TopicEventResponse.TopicEventResponseStatus.SUCCESS))).build());

    assertThat(ThreadProbePubSub.settled(topic).thread()).startsWith(EVENT_LOOP);
    assertThat(ThreadProbePubSub.SUBSCRIBED_ON.get(topic)).doesNotStartWith(EVENT_LOOP);
    requests.onCompleted();
  }

  /** Subscribes, publishes one event, answers SUCCESS; returns the thread that settled it. */
  private String roundTripThroughLayotto(String topic) throws Exception {
    BlockingQueue<RuntimeProto.SubscribeTopicEventsResponse> received = new LinkedBlockingQueue<>();
    StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests = RuntimeGrpc.newStub(channel)
        .subscribeTopicEvents(collectInto(received));
    requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
        RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName("ps").setTopic(topic)).build());
    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull().matches(r -> r.hasInitialResponse());

    RuntimeGrpc.newBlockingStub(channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic(topic).setData(ByteString.copyFromUtf8("{\"n\":1}"))
        .setDataContentType("application/json").build());
    var event = received.poll(10, TimeUnit.SECONDS);
    assertThat(event).isNotNull();
    assertThat(event.getEventMessage().getData().toStringUtf8()).isEqualTo("{\"n\":1}");
    requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
        RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(event.getEventMessage().getId())
            .setStatus(AppCallbackProto.TopicEventResponse.newBuilder()
                .setStatus(AppCallbackProto.TopicEventResponse.TopicEventResponseStatus.SUCCESS))).build());
    String settled = ThreadProbePubSub.settled(topic).thread();
    requests.onCompleted();
    return settled;
  }

  private static <R> StreamObserver<R> collectInto(BlockingQueue<R> received) {
    CompletableFuture<Void> ignored = new CompletableFuture<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(R value) {
        received.add(value);
      }

      @Override
      public void onError(Throwable t) {
        ignored.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ignored.complete(null);
      }
    };
  }
}
