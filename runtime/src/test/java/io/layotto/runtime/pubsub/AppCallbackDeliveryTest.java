package io.layotto.runtime.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.layotto.runtime.Sidecar;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.testing.Http;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.runtime.testing.ThreadProbePubSub;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * Delivery through the app's callback server (Layotto's and Dapr's AppCallback, each a real gRPC
 * server) from a real sidecar over the in-memory pub/sub.
 */
class AppCallbackDeliveryTest {

  private TestApp app;
  private Sidecar sidecar;
  private ManagedChannel channel;
  private final String topic = "t-" + UUID.randomUUID();

  private void start(TestApp.Flavour flavour, List<String> topics) {
    start(flavour, topics, """
        {"type": "in-memory", "metadata": {"backoffInitialInterval": "100ms", "maxDeliveryAttempts": "20"}}""");
  }

  private void start(TestApp.Flavour flavour, List<String> topics, String pubsubJson) {
    app = new TestApp(flavour, topics).start();
    sidecar = Sidecar.start(ConfigLoader.parse("test.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "app1", "grpc_callback_port": %d}, "pub_subs": {"ps": %s}}
        """.formatted(app.port, pubsubJson))));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
    await().atMost(Duration.ofSeconds(15)).until(() -> sidecar.appCallback().orElseThrow().subscriptions().size()
        == topics.size());
  }

  @AfterEach
  void stop() throws InterruptedException {
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

  private void publish(String toTopic, String text) {
    RuntimeGrpc.newBlockingStub(channel).publishEvent(RuntimeProto.PublishEventRequest.newBuilder()
        .setPubsubName("ps").setTopic(toTopic).setData(ByteString.copyFromUtf8(text))
        .setDataContentType("text/plain").build());
  }

  private String readiness(String component) {
    return Http.get(sidecar.actuatorPort().orElseThrow(), "/actuator/health/readiness").json()
        .at("/components/" + component + "/status").asText();
  }

  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void successIsDeliveredOnceWithTheEventFields(TestApp.Flavour flavour) throws Exception {
    start(flavour, List.of(topic));

    publish(topic, "hello");

    TestApp.Received r = app.next();
    assertThat(r.data()).isEqualTo("hello");
    assertThat(r.source()).isEqualTo("app1");
    assertThat(r.type()).isEqualTo("com.dapr.event.sent");
    assertThat(r.topic()).isEqualTo(topic);
    assertThat(r.pubsubName()).isEqualTo("ps");
    assertThat(r.contentType()).isEqualTo("text/plain");
    assertThat(r.id()).isNotEmpty();
    if (flavour == TestApp.Flavour.DAPR) {
      assertThat(r.path()).isEqualTo("/" + topic);
    }
    assertThat(app.received.poll(500, TimeUnit.MILLISECONDS)).as("no redelivery after SUCCESS").isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> readiness("app_callback").equals("UP"));
    assertThat(readiness("ps")).isEqualTo("UP");
    assertThat(Http.get(sidecar.actuatorPort().orElseThrow(), "/actuator/info").json().toString())
        .contains("\"name\":\"ps\"").contains("pub_subs");
  }

  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void retryRedeliversTheSameEventWithBackoffAndDropDiscards(TestApp.Flavour flavour) throws Exception {
    start(flavour, List.of(topic));
    AtomicInteger calls = new AtomicInteger();
    app.answer = r -> r.data().equals("drop me") ? 2 : calls.incrementAndGet() <= 2 ? 1 : 0;

    publish(topic, "retry me");
    TestApp.Received first = app.next();
    TestApp.Received second = app.next();
    TestApp.Received third = app.next();
    assertThat(List.of(second.id(), third.id())).containsOnly(first.id());
    assertThat(Duration.ofNanos(second.nanoTime() - first.nanoTime())).isGreaterThanOrEqualTo(Duration.ofMillis(90));
    assertThat(Duration.ofNanos(third.nanoTime() - second.nanoTime())).isGreaterThanOrEqualTo(Duration.ofMillis(180));

    publish(topic, "drop me");
    assertThat(app.next().data()).isEqualTo("drop me");
    assertThat(app.received.poll(700, TimeUnit.MILLISECONDS)).as("nothing after DROP and SUCCESS").isNull();
  }

  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void malformedAnswersAreRetried(TestApp.Flavour flavour) throws Exception {
    start(flavour, List.of(topic));
    AtomicInteger calls = new AtomicInteger();
    app.answer = r -> switch (calls.incrementAndGet()) {
      case 1 -> 7; // not a TopicEventResponseStatus
      case 2 -> TestApp.NO_RESPONSE; // completes without a response message
      default -> 0;
    };

    publish(topic, "x");

    String id = app.next().id();
    assertThat(app.next().id()).isEqualTo(id);
    assertThat(app.next().id()).isEqualTo(id);
    assertThat(app.received.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void anEventPublishedWhileTheAppIsDownArrivesWhenItIsBack(TestApp.Flavour flavour) throws Exception {
    start(flavour, List.of(topic));
    app.stop();
    await().atMost(Duration.ofSeconds(15)).until(() -> readiness("app_callback").equals("DOWN"));

    publish(topic, "while down");
    Thread.sleep(500);
    app.start();

    TestApp.Received r = app.next();
    assertThat(r.data()).isEqualTo("while down");
    await().atMost(Duration.ofSeconds(15)).until(() -> readiness("app_callback").equals("UP"));
  }

  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void aRestartedAppWithOtherSubscriptionsIsReconciled(TestApp.Flavour flavour) throws Exception {
    String other = topic + "-new";
    start(flavour, List.of(topic));
    app.stop();
    app.topics = List.of(other);
    app.start();

    await().atMost(Duration.ofSeconds(20)).until(() -> sidecar.appCallback().orElseThrow().subscriptions()
        .equals(List.of(flavour + " ps/" + other)));
    publish(topic, "old topic");
    publish(other, "new topic");

    assertThat(app.next().data()).isEqualTo("new topic");
    assertThat(app.received.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  /**
   * A broker may deliver on the thread of the PublishEvent call that published the event. The
   * OnTopicEvent call must not inherit that call's gRPC Context: it is cancelled when PublishEvent
   * answers, which would cancel a delivery still waiting for the app (here, 300 ms). With one
   * attempt allowed, such a cancelled delivery would fail instead of being acked.
   */
  @ParameterizedTest
  @EnumSource(TestApp.Flavour.class)
  void aDeliveryStartedOnThePublishingCallOutlivesThatCall(TestApp.Flavour flavour) throws Exception {
    start(flavour, List.of(topic), """
        {"type": "test-probe-nonblocking", "metadata": {"maxDeliveryAttempts": "1"}}""");
    app.answer = r -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    };

    publish(topic, "inline");

    assertThat(ThreadProbePubSub.settled(topic).failure()).as("acked").isNull();
    assertThat(app.next().data()).isEqualTo("inline");
  }

  /**
   * The app's answer arrives on the sidecar's event loop; it is settled there (no thread hand-off)
   * only for a component that settles without blocking, and on another thread for any other.
   */
  @ParameterizedTest
  @CsvSource({"test-probe-nonblocking, true", "test-probe-blocking, false"})
  void anAnswerIsSettledOnTheEventLoopOnlyForANonBlockingComponent(String type, boolean onTheLoop) throws Exception {
    start(TestApp.Flavour.LAYOTTO, List.of(topic), "{\"type\": \"" + type + "\"}");

    publish(topic, "probe");

    assertThat(app.next().data()).isEqualTo("probe");
    String settledOn = ThreadProbePubSub.settled(topic).thread();
    assertThat(settledOn.startsWith("layotto-io-")).as("settled on %s", settledOn).isEqualTo(onTheLoop);
  }
}
