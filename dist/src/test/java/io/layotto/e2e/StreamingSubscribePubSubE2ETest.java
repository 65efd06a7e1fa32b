package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprPreviewClient;
import io.dapr.client.SubscriptionListener;
import io.dapr.client.domain.CloudEvent;
import io.dapr.config.Properties;
import io.dapr.utils.TypeRef;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.layotto.e2e.harness.AppServer;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.PubSubs;
import io.layotto.e2e.harness.Publisher;
import io.layotto.e2e.harness.SharedRedis;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import io.layotto.e2e.harness.StreamingSubscriber;
import io.layotto.e2e.harness.StreamingSubscriber.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/**
 * Streaming subscriptions through the real sidecar, with no callback server: Layotto's
 * {@code SubscribeTopicEvents} and Dapr's {@code SubscribeTopicEventsAlpha1}, over the in-memory
 * broker and Redis Streams. Each case publishes on the same API it subscribes with.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class StreamingSubscribePubSubE2ETest {

  private static final String APP_ID = "streaming-app";
  /** Long enough for a wrongly redelivered event to show up (backoff 100 ms, broker redelivery 0.5 s). */
  private static final Duration QUIET = Duration.ofSeconds(3);

  private static SidecarProcess sidecar;
  private static ManagedChannel channel;

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(PubSubs.withInMemoryAndRedis(SidecarConfig.defaults().withAppId(APP_ID)));
    channel = GrpcClients.channel(sidecar.grpcPort());
  }

  @AfterAll
  static void stopSidecar() {
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
      SharedRedis.delete(TOPICS);
    }
  }

  static Stream<Arguments> apisAndPubSubs() {
    return Stream.of(Api.LAYOTTO, Api.DAPR)
        .flatMap(api -> Stream.of(PubSubs.IN_MEMORY, PubSubs.REDIS).map(pubsub -> Arguments.of(api, pubsub)));
  }

  /** Every topic used, so their Redis streams are deleted at the end. */
  private static final List<String> TOPICS = new CopyOnWriteArrayList<>();

  private static String topic(String name) {
    String topic = "e2e-stream-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    TOPICS.add(topic);
    return topic;
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("apisAndPubSubs")
  void anEventPublishedRightAfterTheInitialResponseArrivesAsACloudEvent(Api api, String pubsub) {
    String topic = topic("first");
    try (StreamingSubscriber stream = StreamingSubscriber.open(api, channel).subscribed(pubsub, topic, Map.of())) {
      // no wait after the initial response: the component subscription must already exist
      Publisher.publish(api, channel, pubsub, topic, "{\"order\":42}".getBytes(StandardCharsets.UTF_8),
          "application/json", Map.of());

      Event event = stream.next();
      assertThat(event.id()).isNotBlank();
      assertThat(event.source()).isEqualTo(APP_ID);
      assertThat(event.type()).isEqualTo("com.dapr.event.sent");
      assertThat(event.specVersion()).isEqualTo("1.0");
      assertThat(event.dataContentType()).isEqualTo("application/json");
      assertThat(event.topic()).isEqualTo(topic);
      assertThat(event.pubsubName()).isEqualTo(pubsub);
      assertThat(event.text()).isEqualTo("{\"order\":42}");
      assertThat(event.extensions()).containsEntry("topic", topic).containsEntry("pubsubname", pubsub);
      stream.processed(event.id(), StreamingSubscriber.SUCCESS);

      assertThat(stream.poll(QUIET)).as("SUCCESS acks: nothing is delivered again").isNull();
    }
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("apisAndPubSubs")
  void retryRedeliversTheSameEventOnTheStream(Api api, String pubsub) {
    String topic = topic("retry");
    try (StreamingSubscriber stream = StreamingSubscriber.open(api, channel).subscribed(pubsub, topic, Map.of())) {
      Publisher.publishText(api, channel, pubsub, topic, "try again");

      Event first = stream.next();
      stream.processed(first.id(), StreamingSubscriber.RETRY);
      Event second = stream.next();
      assertThat(second.id()).isEqualTo(first.id());
      assertThat(second.text()).isEqualTo("try again");
      stream.processed(second.id(), StreamingSubscriber.SUCCESS);

      assertThat(stream.poll(QUIET)).isNull();
    }
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("apisAndPubSubs")
  void dropIsNotRedelivered(Api api, String pubsub) {
    String topic = topic("drop");
    try (StreamingSubscriber stream = StreamingSubscriber.open(api, channel).subscribed(pubsub, topic, Map.of())) {
      Publisher.publishText(api, channel, pubsub, topic, "unwanted");
      Publisher.publishText(api, channel, pubsub, topic, "wanted");

      Event a = stream.next();
      Event b = stream.next();
      assertThat(a.id()).isNotEqualTo(b.id());
      stream.processed((a.text().equals("unwanted") ? a : b).id(), StreamingSubscriber.DROP);
      stream.processed((a.text().equals("unwanted") ? b : a).id(), StreamingSubscriber.SUCCESS);

      assertThat(stream.poll(QUIET)).as("DROP and SUCCESS both ack").isNull();
    }
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("apisAndPubSubs")
  void anEventLeftUnansweredByACancelledStreamGoesToTheNextStream(Api api, String pubsub) {
    String topic = topic("handover");
    Event unanswered;
    try (StreamingSubscriber first = StreamingSubscriber.open(api, channel).subscribed(pubsub, topic, Map.of())) {
      Publisher.publishText(api, channel, pubsub, topic, "keep me");
      unanswered = first.next();
      first.cancel();
      assertThat(first.awaitEnd().getCode()).isEqualTo(Status.Code.CANCELLED);
    }

    try (StreamingSubscriber second = StreamingSubscriber.open(api, channel).subscribed(pubsub, topic, Map.of())) {
      Event redelivered = second.next();
      assertThat(redelivered.id()).isEqualTo(unanswered.id());
      assertThat(redelivered.text()).isEqualTo("keep me");
      second.processed(redelivered.id(), StreamingSubscriber.SUCCESS);

      assertThat(second.poll(QUIET)).isNull();
    }
  }

  /** A typed event as an application publishes it. */
  record Order(String id, int quantity) {}

  /**
   * The official Dapr SDK's streaming subscription ({@code DaprPreviewClient.subscribeToEvents}, over
   * {@code SubscribeTopicEventsAlpha1}): its listener's RETRY brings the same event back, SUCCESS acks it.
   * Over Redis Streams, whose new consumer group starts at the stream's beginning, so the event
   * published before the SDK subscribes is delivered too.
   */
  @Test
  @SuppressWarnings({"deprecation", "removal"})
  void theDaprSdkStreamingSubscriptionRetriesAndAcks() throws Exception {
    String topic = topic("sdk");
    Order order = new Order("sdk-1", 5);
    Publisher.publish(Api.DAPR, channel, PubSubs.REDIS, topic,
        new ObjectMapper().writeValueAsBytes(order), "application/json", Map.of());
    List<CloudEvent<Order>> received = new CopyOnWriteArrayList<>();
    SubscriptionListener<Order> listener = new SubscriptionListener<>() {
      @Override
      public Mono<SubscriptionListener.Status> onEvent(CloudEvent<Order> event) {
        received.add(event);
        long seen = received.stream().filter(e -> e.getId().equals(event.getId())).count();
        return Mono.just(seen == 1 ? SubscriptionListener.Status.RETRY : SubscriptionListener.Status.SUCCESS);
      }

      @Override
      public void onError(RuntimeException exception) {
        // the stream's end when the test closes it
      }
    };

    try (DaprPreviewClient preview = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .buildPreviewClient()) {
      var subscription = preview.subscribeToEvents(PubSubs.REDIS, topic, listener, TypeRef.get(Order.class));
      try {
        await("two deliveries of the event").atMost(AppServer.EVENT_TIMEOUT).until(() -> received.size() >= 2);
        assertThat(received).extracting(CloudEvent::getId).containsOnly(received.getFirst().getId());
        assertThat(received).extracting(CloudEvent::getData).containsOnly(order);
        assertThat(received.getFirst().getTopic()).isEqualTo(topic);
        assertThat(received.getFirst().getPubsubName()).isEqualTo(PubSubs.REDIS);
        assertThat(received.getFirst().getType()).isEqualTo("com.dapr.event.sent");
        assertThat(received.getFirst().getDatacontenttype()).isEqualTo("application/json");

        Thread.sleep(QUIET.toMillis());
        assertThat(received).as("acked after SUCCESS").hasSize(2);
      } finally {
        subscription.close();
      }
    }
  }
}
