package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprAppCallbackProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.testing.PubSubFixture;
import io.layotto.runtime.testing.TestPubSub;
import io.layotto.runtime.testing.TestPubSubFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** SubscribeTopicEvents (Layotto) and SubscribeTopicEventsAlpha1 (Dapr) over the same delivery engine. */
class StreamingSubscriptionTest {

  private static final String CONFIG = """
      {"app": {"app_id": "shop"},
       "pub_subs": {"ps": {"type": "test-pubsub", "metadata": {"backoffInitialInterval": "20ms"}}}}
      """;

  private final TestPubSubFactory factory = new TestPubSubFactory();
  private LoadedComponents components;
  private InProcessApi api;
  private TestPubSub broker;

  /** One delivered event as a test sees it. */
  record Received(String id, String topic, String data, String source) {}

  /** A streaming subscriber speaking one of the two APIs. */
  abstract static class Stream0 {
    final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> initialResponse = new CompletableFuture<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    abstract void initial(String pubsub, String topic, Map<String, String> metadata);

    abstract void processed(String id, int status);

    abstract void cancel();

    Received next() throws InterruptedException {
      Received r = events.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("an event within 10 s").isNotNull();
      return r;
    }
  }

  static final class LayottoStream extends Stream0 {
    private final StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests;
    private ClientCallStreamObserver<?> call;

    LayottoStream(InProcessApi api) {
      requests = RuntimeGrpc.newStub(api.channel).subscribeTopicEvents(new ClientResponseObserver<
          RuntimeProto.SubscribeTopicEventsRequest, RuntimeProto.SubscribeTopicEventsResponse>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> c) {
          call = c;
        }

        @Override
        public void onNext(RuntimeProto.SubscribeTopicEventsResponse r) {
          if (r.hasInitialResponse()) {
            initialResponse.complete(null);
          } else {
            var e = r.getEventMessage();
            events.add(new Received(e.getId(), e.getTopic(), e.getData().toString(StandardCharsets.UTF_8),
                e.getSource()));
          }
        }

        @Override
        public void onError(Throwable t) {
          end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          end.complete(Status.OK);
        }
      });
    }

    @Override
    void initial(String pubsub, String topic, Map<String, String> metadata) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
          RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName(pubsub).setTopic(topic)
              .putAllMetadata(metadata)).build());
    }

    @Override
    void processed(String id, int status) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
          RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(id)
              .setStatus(AppCallbackProto.TopicEventResponse.newBuilder().setStatusValue(status))).build());
    }

    @Override
    void cancel() {
      call.cancel("test disconnects", null);
    }
  }

  static final class DaprStream extends Stream0 {
    private final StreamObserver<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1> requests;
    private ClientCallStreamObserver<?> call;

    DaprStream(InProcessApi api) {
      requests = DaprGrpc.newStub(api.channel).subscribeTopicEventsAlpha1(new ClientResponseObserver<
          DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1, DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1> c) {
          call = c;
        }

        @Override
        public void onNext(DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1 r) {
          if (r.hasInitialResponse()) {
            initialResponse.complete(null);
          } else {
            var e = r.getEventMessage();
            events.add(new Received(e.getId(), e.getTopic(), e.getData().toString(StandardCharsets.UTF_8),
                e.getSource()));
          }
        }

        @Override
        public void onError(Throwable t) {
          end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          end.complete(Status.OK);
        }
      });
    }

    @Override
    void initial(String pubsub, String topic, Map<String, String> metadata) {
      requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setInitialRequest(
          DaprPubsubProtos.SubscribeTopicEventsRequestInitialAlpha1.newBuilder().setPubsubName(pubsub).setTopic(topic)
              .putAllMetadata(metadata)).build());
    }

    @Override
    void processed(String id, int status) {
      requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setEventProcessed(
          DaprPubsubProtos.SubscribeTopicEventsRequestProcessedAlpha1.newBuilder().setId(id)
              .setStatus(DaprAppCallbackProtos.TopicEventResponse.newBuilder().setStatusValue(status))).build());
    }

    @Override
    void cancel() {
      call.cancel("test disconnects", null);
    }
  }

  static Stream<BiFunction<InProcessApi, String, Stream0>> apis() {
    return Stream.of(named("layotto"), named("dapr"));
  }

  private static BiFunction<InProcessApi, String, Stream0> named(String which) {
    return new BiFunction<>() {
      @Override
      public Stream0 apply(InProcessApi api, String ignored) {
        return which.equals("layotto") ? new LayottoStream(api) : new DaprStream(api);
      }

      @Override
      public String toString() {
        return which;
      }
    };
  }

  @BeforeEach
  void start() {
    components = PubSubFixture.load(CONFIG, factory);
    api = new InProcessApi(components);
    broker = factory.created().getFirst();
  }

  @AfterEach
  void close() {
    api.close();
    components.close();
  }

  private void publish(String topic, String text) {
    RuntimeGrpc.newBlockingStub(api.channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic(topic).setData(ByteString.copyFromUtf8(text)).setDataContentType("text/plain")
        .build());
  }

  private Stream0 subscribed(BiFunction<InProcessApi, String, Stream0> open, String topic) throws Exception {
    Stream0 stream = open.apply(api, topic);
    stream.initial("ps", topic, Map.of());
    stream.initialResponse.get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.subscribeCalls.get() > 0);
    return stream;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void successAcksAndDropDiscards(BiFunction<InProcessApi, String, Stream0> open) throws Exception {
    Stream0 stream = subscribed(open, "t1");

    publish("t1", "first");
    Received first = stream.next();
    assertThat(first.data()).isEqualTo("first");
    assertThat(first.topic()).isEqualTo("t1");
    assertThat(first.source()).isEqualTo("shop");
    stream.processed(first.id(), 0);

    publish("t1", "second");
    Received second = stream.next();
    assertThat(second.data()).isEqualTo("second");
    stream.processed(second.id(), 2);

    assertThat(stream.events.poll(300, TimeUnit.MILLISECONDS)).as("nothing redelivered").isNull();
    assertThat(broker.pending("t1", "shop")).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void anEventPublishedRightAfterTheInitialResponseIsDelivered(BiFunction<InProcessApi, String, Stream0> open)
      throws Exception {
    broker.subscribeDelayMillis = 300; // a slow broker round trip: the initial response must wait for it
    Stream0 stream = open.apply(api, "t11");
    stream.initial("ps", "t11", Map.of());
    stream.initialResponse.get(10, TimeUnit.SECONDS);
    assertThat(broker.subscriptionsMade.get()).as("component subscriptions when the initial response arrived")
        .isEqualTo(1);

    publish("t11", "right after"); // the broker keeps messages only for existing subscriptions
    Received event = stream.next();
    assertThat(event.data()).isEqualTo("right after");
    stream.processed(event.id(), 0);
    assertThat(stream.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void retryAndUnknownStatusRedeliverTheSameEvent(BiFunction<InProcessApi, String, Stream0> open) throws Exception {
    Stream0 stream = subscribed(open, "t2");

    publish("t2", "again");
    Received first = stream.next();
    stream.processed(first.id(), 1);
    Received second = stream.next();
    assertThat(second.id()).isEqualTo(first.id());
    stream.processed(second.id(), 42);
    Received third = stream.next();
    assertThat(third.id()).isEqualTo(first.id());
    stream.processed(third.id(), 0);

    assertThat(stream.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void aDisconnectedStreamsEventsGoToTheNextStream(BiFunction<InProcessApi, String, Stream0> open) throws Exception {
    Stream0 first = subscribed(open, "t3");
    publish("t3", "kept");
    Received unanswered = first.next();

    first.cancel();
    Stream0 second = open.apply(api, "t3");
    second.initial("ps", "t3", Map.of());

    Received redelivered = second.next();
    assertThat(redelivered.id()).isEqualTo(unanswered.id());
    assertThat(redelivered.data()).isEqualTo("kept");
    second.processed(redelivered.id(), 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void afterTheLastAttemptTheEventGoesToTheDeadLetterTopic(BiFunction<InProcessApi, String, Stream0> open)
      throws Exception {
    Stream0 stream = open.apply(api, "t8");
    stream.initial("ps", "t8", Map.of("maxDeliveryAttempts", "2", "deadLetterTopic", "t8-dead"));
    stream.initialResponse.get(10, TimeUnit.SECONDS);
    Stream0 deadLetters = subscribed(open, "t8-dead");

    publish("t8", "poison");
    Received first = stream.next();
    stream.processed(first.id(), 1);
    stream.processed(stream.next().id(), 1);

    Received dead = deadLetters.next();
    assertThat(dead.id()).isEqualTo(first.id());
    assertThat(dead.data()).isEqualTo("poison");
    deadLetters.processed(dead.id(), 0);
    assertThat(stream.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void unansweredEventsAreBoundedByMaxConcurrency(BiFunction<InProcessApi, String, Stream0> open) throws Exception {
    Stream0 stream = open.apply(api, "t9");
    stream.initial("ps", "t9", Map.of("maxConcurrency", "2"));
    stream.initialResponse.get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.subscribeCalls.get() > 0);

    for (int i = 0; i < 5; i++) {
      publish("t9", "m" + i);
    }
    Received a = stream.next();
    Received b = stream.next();
    assertThat(stream.events.poll(500, TimeUnit.MILLISECONDS)).as("a third event while two are unanswered").isNull();

    stream.processed(a.id(), 0);
    stream.processed(b.id(), 0);
    for (int i = 0; i < 3; i++) {
      stream.processed(stream.next().id(), 0);
    }
    assertThat(broker.maxObservedInFlight).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void expiredEventsAreDroppedAndRawPayloadsWrapped(BiFunction<InProcessApi, String, Stream0> open)
      throws Exception {
    broker.declareGroup("t10", "shop");
    RuntimeGrpc.newBlockingStub(api.channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic("t10").setData(ByteString.copyFromUtf8("stale"))
        .putMetadata("ttlInSeconds", "1").build());
    RuntimeGrpc.newBlockingStub(api.channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic("t10").setData(ByteString.copyFromUtf8("raw bytes"))
        .putMetadata("rawPayload", "true").build());
    Thread.sleep(1100);

    Stream0 stream = subscribed(open, "t10");
    Received raw = stream.next();
    assertThat(raw.data()).isEqualTo("raw bytes");
    assertThat(raw.id()).isNotEmpty();
    stream.processed(raw.id(), 0);
    assertThat(stream.events.poll(500, TimeUnit.MILLISECONDS)).as("the expired event is not delivered").isNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> broker.pending("t10", "shop") == 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apis")
  void protocolErrorsAreInvalidArgument(BiFunction<InProcessApi, String, Stream0> open) throws Exception {
    Stream0 duplicate = subscribed(open, "t4");
    duplicate.initial("ps", "t5", Map.of());
    Status status = duplicate.end.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("duplicate initial request").contains("t4");

    Stream0 unknown = open.apply(api, "t6");
    unknown.initial("nope", "t6", Map.of());
    status = unknown.end.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("'nope'").contains("[ps]");
    assertThat(unknown.initialResponse).isNotDone();

    Stream0 noTopic = open.apply(api, "");
    noTopic.initial("ps", "", Map.of());
    assertThat(noTopic.end.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    Stream0 noInitial = open.apply(api, "t7");
    noInitial.processed("x", 0);
    status = noInitial.end.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("initial request is required");
  }
}
