package io.layotto.runtime.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.Sidecar;
import io.layotto.runtime.grpc.ApiServices;
import io.layotto.runtime.testing.PubSubFixture;
import io.layotto.runtime.testing.TestPubSub;
import io.layotto.runtime.testing.TestPubSubFactory;
import io.layotto.spi.pubsub.PublishRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * Sidecar shutdown with pub/sub activity: streams are ended by the sidecar instead of holding the
 * drain open, new messages stop at once, answers to deliveries in flight are acked, unanswered ones
 * are not (and not dead-lettered), and the components close only after every subscription did.
 */
class GracefulShutdownTest {

  private static final String CONFIG = """
      {"app": {"app_id": "shop"%s},
       "pub_subs": {"ps": {"type": "test-pubsub",
                           "metadata": {"maxDeliveryAttempts": "1", "backoffInitialInterval": "20ms"}}}}
      """;

  private final TestPubSubFactory factory = new TestPubSubFactory();
  private final String topic = "t-" + UUID.randomUUID();
  private Sidecar sidecar;
  private ManagedChannel channel;
  private TestPubSub broker;
  private TestApp app;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (sidecar != null) {
      sidecar.close();
    }
    if (app != null) {
      app.close();
    }
  }

  private void start(Duration drain, String appSettings) {
    sidecar = Sidecar.start(PubSubFixture.config(CONFIG.formatted(appSettings)).withDrainTimeout(drain),
        PubSubFixture.factories(factory), ApiServices::definitions);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
    broker = factory.created().getFirst();
  }

  private String group() {
    return sidecar.components().pubSubOptions("ps").consumerGroup();
  }

  private void publish(String text) {
    broker.publish(new PublishRequest(topic, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain",
        Map.of()));
  }

  private long closeMillis() {
    long start = System.nanoTime();
    sidecar.close();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void idleStreamsAreEndedWithUnavailableAndShutdownDoesNotWaitForTheDrainTimeout() throws Exception {
    start(Duration.ofSeconds(30), "");
    Subscriber subscribed = new Subscriber();
    subscribed.subscribe(topic, Map.of());
    Subscriber notYetSubscribed = new Subscriber(); // connected, no initial request sent
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.openSubscriptions.get() == 1);

    long took = closeMillis();

    assertThat(took).as("shutdown with idle streams, drain timeout 30 s").isLessThan(10_000);
    for (Subscriber s : List.of(subscribed, notYetSubscribed)) {
      Status status = s.end.get(5, TimeUnit.SECONDS);
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).isEqualTo("sidecar shutting down; resubscribe");
    }
    assertThat(broker.openAtClose).as("subscriptions still open when the component closed").isZero();
  }

  @Test
  void anEventAnsweredDuringTheDrainIsAckedAndNoNewEventIsDelivered() throws Exception {
    start(Duration.ofSeconds(30), "");
    Subscriber s = new Subscriber();
    s.subscribe(topic, Map.of());
    Subscriber idle = new Subscriber();
    idle.subscribe("idle-" + topic, Map.of());
    publish("first");
    var e = s.events.poll(10, TimeUnit.SECONDS);
    assertThat(e).isNotNull();

    CompletableFuture<Long> closing = CompletableFuture.supplyAsync(this::closeMillis);
    await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.components().deliveries().stopping());
    assertThat(sidecar.components().deliveries().inFlight()).isEqualTo(1);
    // the idle subscription stops fetching from the broker at once, the busy one stays for the ack
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.openSubscriptions.get() == 1);
    // published while draining: held by the sidecar, never offered to the app
    publish("second");
    assertThat(s.events.poll(1, TimeUnit.SECONDS)).isNull();
    assertThat(closing).isNotDone();

    s.processed(e.getId(), AppCallbackProto.TopicEventResponse.TopicEventResponseStatus.SUCCESS_VALUE);

    assertThat(closing.get(15, TimeUnit.SECONDS)).isLessThan(15_000);
    assertThat(s.end.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(idle.end.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(broker.acks).hasValue(1);
    assertThat(broker.pending(topic, group())).as("the second event is back in the queue, unacked").isEqualTo(1);
    assertThat(broker.openAtClose).isZero();
  }

  @Test
  void anEventUnansweredWhenTheDrainEndsIsNeitherAckedNorDeadLettered() throws Exception {
    start(Duration.ofSeconds(1), "");
    Subscriber s = new Subscriber();
    s.subscribe(topic, Map.of("deadLetterTopic", "dead-" + topic));
    publish("never answered");
    assertThat(s.events.poll(10, TimeUnit.SECONDS)).isNotNull();

    long took = closeMillis();

    assertThat(took).isGreaterThanOrEqualTo(900);
    Status status = s.end.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(broker.acks).hasValue(0);
    assertThat(broker.pending(topic, group())).isEqualTo(1);
    assertThat(broker.published).extracting(PublishRequest::topic).containsExactly(topic);
    assertThat(broker.openAtClose).isZero();
  }

  @Test
  void anAppCallbackAnsweredDuringTheDrainIsAcked() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    app = new TestApp(TestApp.Flavour.LAYOTTO, List.of(topic)).start();
    app.answer = r -> {
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      return 0; // SUCCESS
    };
    start(Duration.ofSeconds(30), ", \"grpc_callback_port\": " + app.port);
    await().atMost(Duration.ofSeconds(15)).until(() -> sidecar.appCallback().orElseThrow().subscriptions().size()
        == 1);
    publish("slow");
    app.next();

    CompletableFuture<Long> closing = CompletableFuture.supplyAsync(this::closeMillis);
    await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.components().deliveries().stopping());
    publish("during drain");
    assertThat(app.received.poll(1, TimeUnit.SECONDS)).isNull();
    assertThat(closing).isNotDone();
    release.countDown();

    assertThat(closing.get(15, TimeUnit.SECONDS)).isLessThan(15_000);
    assertThat(broker.acks).hasValue(1);
    assertThat(broker.pending(topic, group())).isEqualTo(1);
    assertThat(broker.openAtClose).isZero();
  }

  /** A Layotto streaming subscriber. */
  private final class Subscriber {
    final BlockingQueue<AppCallbackProto.TopicEventRequest> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests;

    Subscriber() {
      requests = RuntimeGrpc.newStub(channel).subscribeTopicEvents(new ClientResponseObserver<
          RuntimeProto.SubscribeTopicEventsRequest, RuntimeProto.SubscribeTopicEventsResponse>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<RuntimeProto.SubscribeTopicEventsRequest> c) {}

        @Override
        public void onNext(RuntimeProto.SubscribeTopicEventsResponse r) {
          if (r.hasInitialResponse()) {
            ready.complete(null);
          } else {
            events.add(r.getEventMessage());
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

    void subscribe(String topic, Map<String, String> metadata) throws Exception {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
          RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName("ps").setTopic(topic)
              .putAllMetadata(metadata)).build());
      ready.get(10, TimeUnit.SECONDS);
    }

    void processed(String id, int status) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
          RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(id)
              .setStatus(AppCallbackProto.TopicEventResponse.newBuilder().setStatusValue(status))).build());
    }
  }
}
