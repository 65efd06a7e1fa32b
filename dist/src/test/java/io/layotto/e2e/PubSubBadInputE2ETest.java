package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.layotto.e2e.harness.AppServer;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.AppServer.Received;
import io.layotto.e2e.harness.AppServer.Reply;
import io.layotto.e2e.harness.AppServer.Subscription;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.PubSubs;
import io.layotto.e2e.harness.Publisher;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import io.layotto.e2e.harness.StreamingSubscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad pub/sub input through the real sidecar on both APIs: empty or unknown names are
 * INVALID_ARGUMENT naming the field (and the configured pub/subs), oversized data is
 * RESOURCE_EXHAUSTED, and malformed answers of the app (an unknown status number, a throwing
 * handler, no response) count as RETRY while the sidecar keeps running.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class PubSubBadInputE2ETest {

  private static final String MEM = PubSubs.IN_MEMORY;
  /** An in-memory pub/sub with {@code maxPayloadBytes} 1024. */
  private static final String SMALL = "small_pubsub";
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String UNKNOWN_STATUS = "e2e-bad-status-" + RUN;
  private static final String THROWS = "e2e-bad-throws-" + RUN;
  private static final String NO_RESPONSE = "e2e-bad-noresponse-" + RUN;

  private static AppServer app;
  private static SidecarProcess sidecar;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    List<Subscription> subscriptions = new ArrayList<>();
    for (Api api : Api.values()) {
      for (String topic : List.of(UNKNOWN_STATUS, THROWS, NO_RESPONSE)) {
        subscriptions.add(Subscription.of(api, MEM, topic + "-" + api));
      }
    }
    app = AppServer.start(subscriptions);
    for (Api api : Api.values()) {
      app.replyOn(UNKNOWN_STATUS + "-" + api, r -> r.attempt() == 1 ? new Reply.StatusNumber(7) : Reply.SUCCESS);
      app.replyOn(THROWS + "-" + api, r -> r.attempt() == 1 ? new Reply.Throws() : Reply.SUCCESS);
      app.replyOn(NO_RESPONSE + "-" + api, r -> r.attempt() == 1 ? new Reply.NoResponse() : Reply.SUCCESS);
    }
    sidecar = SidecarProcess.start(SidecarConfig.defaults()
        .withAppId("bad-input-app")
        .withAppCallbackPort(app.port())
        .withPubSub(MEM, "in-memory", PubSubs.inMemory())
        .withPubSub(SMALL, "in-memory", Map.of("maxPayloadBytes", "1024")));
    channel = GrpcClients.channel(sidecar.grpcPort());
  }

  @AfterAll
  static void stop() {
    try {
      if (channel != null) {
        GrpcClients.close(channel);
      }
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
      if (app != null) {
        app.close();
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static DaprGrpc.DaprBlockingStub dapr() {
    return DaprGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static DaprPubsubProtos.BulkPublishRequest bulk(String pubsub, String topic, byte[] event) {
    return DaprPubsubProtos.BulkPublishRequest.newBuilder().setPubsubName(pubsub).setTopic(topic)
        .addEntries(DaprPubsubProtos.BulkPublishRequestEntry.newBuilder().setEntryId("1")
            .setEvent(ByteString.copyFrom(event)).setContentType("text/plain"))
        .build();
  }

  /** Opens a stream with this initial request and returns how the sidecar ended it. */
  private static Status streamEnd(Api api, String pubsub, String topic) {
    try (StreamingSubscriber stream = StreamingSubscriber.open(api, channel)) {
      stream.subscribe(pubsub, topic, Map.of());
      Status status = stream.awaitEnd();
      assertThat(stream.hasInitialResponse()).as("no initial response for a refused subscription").isFalse();
      GrpcStatusAssert.assertNoStackTrace(status);
      return status;
    }
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void emptyPubsubNameIsInvalidArgumentNamingTheField(Api api) {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> Publisher.publish(api, channel, "", "orders", bytes("x"), "text/plain", Map.of()),
        "pubsub_name", MEM, SMALL);

    Status status = streamEnd(api, "", "orders");
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("pubsub_name");
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void emptyTopicIsInvalidArgumentNamingTheField(Api api) {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> Publisher.publish(api, channel, MEM, "", bytes("x"), "text/plain", Map.of()), "topic", MEM);

    Status status = streamEnd(api, MEM, "");
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("topic");
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void unknownPubsubIsInvalidArgumentListingTheConfiguredOnes(Api api) {
    assertFailsWith(Code.INVALID_ARGUMENT,
        () -> Publisher.publish(api, channel, "nope_pubsub", "orders", bytes("x"), "text/plain", Map.of()),
        "nope_pubsub", MEM, SMALL);

    Status status = streamEnd(api, "nope_pubsub", "orders");
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("nope_pubsub").contains(MEM).contains(SMALL);
  }

  @Test
  void bulkPublishChecksNamesToo() {
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr().bulkPublishEvent(bulk("", "orders", bytes("x"))),
        "pubsub_name");
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr().bulkPublishEvent(bulk("nope_pubsub", "orders", bytes("x"))),
        "nope_pubsub", MEM, SMALL);
    assertFailsWith(Code.INVALID_ARGUMENT, () -> dapr().bulkPublishEventAlpha1(bulk(MEM, "", bytes("x"))), "topic");
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void dataOverMaxPayloadBytesIsResourceExhausted(Api api) {
    byte[] tooBig = new byte[1025];
    assertFailsWith(Code.RESOURCE_EXHAUSTED,
        () -> Publisher.publish(api, channel, SMALL, "orders", tooBig, "application/octet-stream", Map.of()),
        "1025", "1024", SMALL, "maxPayloadBytes");

    // at the limit it is accepted
    Publisher.publish(api, channel, SMALL, "orders", new byte[1024], "application/octet-stream", Map.of());
  }

  @Test
  void bulkDataOverMaxPayloadBytesIsResourceExhausted() {
    assertFailsWith(Code.RESOURCE_EXHAUSTED, () -> dapr().bulkPublishEvent(bulk(SMALL, "orders", new byte[2048])),
        "maxPayloadBytes", SMALL);
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void aRequestOverTheMaxMessageSizeIsResourceExhaustedAndTheSidecarKeepsServing(Api api) {
    byte[] fiveMebibytes = new byte[5 * 1024 * 1024];

    assertFailsWith(Code.RESOURCE_EXHAUSTED,
        () -> Publisher.publish(api, channel, MEM, "orders", fiveMebibytes, "application/octet-stream", Map.of()));

    Publisher.publishText(api, channel, SMALL, "orders", "still serving");
    assertThat(sidecar.isAlive()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void malformedCallbackAnswersAreRetriedAndTheSidecarKeepsRunning(Api api) {
    for (String topic : List.of(UNKNOWN_STATUS, THROWS, NO_RESPONSE)) {
      Publisher.publishText(api, channel, MEM, topic + "-" + api, "answer me badly (" + topic + ")");
    }

    for (String topic : List.of(UNKNOWN_STATUS, THROWS, NO_RESPONSE)) {
      List<Received> attempts = app.awaitReceived(MEM, topic + "-" + api, 2);
      assertThat(attempts).as("the malformed first answer counts as RETRY: %s", topic)
          .extracting(Received::id).containsOnly(attempts.getFirst().id());
      assertThat(attempts.get(1).attempt()).isEqualTo(2);
      assertThat(attempts).extracting(Received::text).containsOnly("answer me badly (" + topic + ")");
    }

    assertThat(sidecar.isAlive()).isTrue();
    await("readiness stays UP").atMost(Duration.ofSeconds(30)).until(() -> sidecar.readiness().status() == 200);
    Publisher.publishText(api, channel, SMALL, "orders", "still serving");
  }

  @ParameterizedTest
  @EnumSource(Api.class)
  void anUnknownStatusOnAStreamIsRetried(Api api) {
    String topic = "e2e-bad-stream-" + RUN + "-" + api;
    try (StreamingSubscriber stream = StreamingSubscriber.open(api, channel).subscribed(MEM, topic, Map.of())) {
      Publisher.publishText(api, channel, MEM, topic, "odd answer");

      StreamingSubscriber.Event first = stream.next();
      stream.processed(first.id(), 9);
      StreamingSubscriber.Event again = stream.next();
      assertThat(again.id()).isEqualTo(first.id());
      stream.processed(again.id(), StreamingSubscriber.SUCCESS);

      stream.processed("no-such-event-id", StreamingSubscriber.SUCCESS); // ignored, the stream stays open
      assertThat(stream.poll(Duration.ofSeconds(1))).isNull();
      assertThat(stream.hasInitialResponse()).isTrue();
    }
    assertThat(sidecar.isAlive()).isTrue();
  }
}
