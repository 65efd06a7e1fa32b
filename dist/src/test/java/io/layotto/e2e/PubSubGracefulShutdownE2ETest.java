package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.layotto.e2e.harness.AppServer;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.PubSubs;
import io.layotto.e2e.harness.Publisher;
import io.layotto.e2e.harness.SharedRedis;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import io.layotto.e2e.harness.StreamingSubscriber;
import io.layotto.e2e.harness.StreamingSubscriber.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM while apps are subscribed: connected streams are ended by the sidecar with UNAVAILABLE
 * instead of holding the drain open, a delivery in flight is acked when the app answers it during the
 * drain, and one left unanswered stays in the broker for the next sidecar (no loss).
 */
@ExtendWith(SidecarLogsOnFailure.class)
class PubSubGracefulShutdownE2ETest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG_DRAIN = Duration.ofSeconds(30);
  /** Long enough for a wrongly unacked Redis entry to be claimed (processingTimeout 3 s) and delivered. */
  private static final Duration QUIET = Duration.ofSeconds(8);

  private final List<String> topics = new CopyOnWriteArrayList<>();

  @AfterEach
  void deleteTopics() {
    SharedRedis.delete(topics);
  }

  private String topic() {
    String topic = "e2e-drain-" + UUID.randomUUID();
    topics.add(topic);
    return topic;
  }

  /** A sidecar with {@code servers[0].graceful_timeout} set, started and ready. */
  private static SidecarProcess start(SidecarConfig config, Duration drain) throws Exception {
    SidecarPorts ports = SidecarPorts.free();
    ObjectNode json = (ObjectNode) JSON.readTree(config.toJson(ports));
    ((ObjectNode) json.get("servers").get(0)).put("graceful_timeout", drain.toSeconds() + "s");
    SidecarProcess sidecar = SidecarProcess.launch(Launcher.mainClass(), JSON.writeValueAsString(json), ports);
    try {
      sidecar.awaitReady();
      return sidecar;
    } catch (RuntimeException | Error e) {
      sidecar.kill();
      throw e;
    }
  }

  private static SidecarConfig redisConfig() {
    // a fresh app id is a fresh consumer group: nothing left over from other runs
    return SidecarConfig.defaults().withAppId("drain-" + UUID.randomUUID())
        .withPubSub(PubSubs.REDIS, "redis", PubSubs.redis(SharedRedis.PORT));
  }

  private static void assertShuttingDown(Status status) {
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("sidecar shutting down; resubscribe");
  }

  /** No error, exception or failed ack logged from SIGTERM on. */
  private static void assertQuietShutdown(SidecarProcess sidecar) {
    String logs = sidecar.logs();
    int from = logs.indexOf("shutting down");
    assertThat(from).as("shutdown logged\n%s", logs).isNotNegative();
    assertThat(logs.substring(from)).doesNotContain("ERROR").doesNotContain("Exception")
        .doesNotContain("failed").contains("stopped");
  }

  @Test
  void sigtermWithConnectedIdleStreamsExitsFarBelowTheDrainTimeout() throws Exception {
    String topic = topic();
    SidecarConfig config = SidecarConfig.defaults().withPubSub(PubSubs.IN_MEMORY, "in-memory", PubSubs.inMemory())
        .withPubSub(PubSubs.REDIS, "redis", PubSubs.redis(SharedRedis.PORT));
    try (SidecarProcess sidecar = start(config, LONG_DRAIN)) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try (StreamingSubscriber layotto = StreamingSubscriber.open(Api.LAYOTTO, channel)
              .subscribed(PubSubs.IN_MEMORY, topic, Map.of());
          StreamingSubscriber dapr = StreamingSubscriber.open(Api.DAPR, channel)
              .subscribed(PubSubs.REDIS, topic, Map.of())) {
        long start = System.nanoTime();
        int exit = sidecar.terminate();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(exit).as("exit code after SIGTERM\n%s", sidecar.logs()).isZero();
        assertThat(took).as("shutdown with idle streams, drain timeout %s", LONG_DRAIN)
            .isLessThan(Duration.ofSeconds(10));
        assertShuttingDown(layotto.awaitEnd());
        assertShuttingDown(dapr.awaitEnd());
        assertQuietShutdown(sidecar);
        System.out.printf("SIGTERM to exit with two idle streams (drain timeout %s): %d ms%n", LONG_DRAIN,
            took.toMillis());
      } finally {
        GrpcClients.close(channel);
      }
    }
  }

  @Test
  void aStreamedMessageUnansweredAtSigtermIsRedeliveredByTheNextSidecar() throws Exception {
    String topic = topic();
    SidecarConfig config = redisConfig();
    Event first;
    try (SidecarProcess sidecar = start(config, Duration.ofSeconds(2))) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try (StreamingSubscriber stream = StreamingSubscriber.open(Api.LAYOTTO, channel)
          .subscribed(PubSubs.REDIS, topic, Map.of())) {
        Publisher.publishText(Api.LAYOTTO, channel, PubSubs.REDIS, topic, "never answered here");
        first = stream.next();

        long start = System.nanoTime();
        int exit = sidecar.terminate();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(exit).as("exit code after SIGTERM\n%s", sidecar.logs()).isZero();
        assertThat(took).as("waited for the answer up to the 2 s drain").isGreaterThan(Duration.ofMillis(1500))
            .isLessThan(Duration.ofSeconds(15));
        assertShuttingDown(stream.awaitEnd());
        assertThat(sidecar.logs()).contains("1 pub/sub deliveries still unanswered");
        assertQuietShutdown(sidecar);
      } finally {
        GrpcClients.close(channel);
      }
    }

    try (SidecarProcess next = start(config, Duration.ofSeconds(2))) {
      ManagedChannel channel = GrpcClients.channel(next.grpcPort());
      try (StreamingSubscriber stream = StreamingSubscriber.open(Api.DAPR, channel)
          .subscribed(PubSubs.REDIS, topic, Map.of())) {
        Event again = stream.next();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.text()).isEqualTo("never answered here");
        stream.processed(again.id(), StreamingSubscriber.SUCCESS);
        assertThat(stream.poll(QUIET)).as("nothing else once it was answered").isNull();
        next.stop();
      } finally {
        GrpcClients.close(channel);
      }
    }
  }

  @Test
  void anAppCallbackAnsweredDuringTheDrainIsAckedAndNotRedelivered() throws Exception {
    String topic = topic();
    CountDownLatch release = new CountDownLatch(1);
    try (AppServer app = AppServer.start(List.of(AppServer.Subscription.of(Api.LAYOTTO, PubSubs.REDIS, topic)))) {
      app.replyOn(topic, received -> {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return AppServer.Reply.SUCCESS;
      });
      SidecarConfig config = redisConfig().withAppCallbackPort(app.port());
      try (SidecarProcess sidecar = start(config, LONG_DRAIN)) {
        ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
        try {
          Publisher.publishText(Api.LAYOTTO, channel, PubSubs.REDIS, topic, "answered while draining");
          app.awaitFirst(PubSubs.REDIS, topic);
        } finally {
          GrpcClients.close(channel);
        }
        sidecar.sendSigterm();
        Thread.sleep(1500);
        assertThat(sidecar.isAlive()).as("the sidecar waits for the app's answer").isTrue();
        assertThat(sidecar.readiness().status()).isNotEqualTo(200);

        release.countDown();
        long start = System.nanoTime();
        assertThat(sidecar.awaitExit(SidecarProcess.STOP_TIMEOUT)).as("exit code\n%s", sidecar.logs()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertQuietShutdown(sidecar);
      }

      // acked during the drain: the next sidecar of the same group does not get it again
      try (SidecarProcess next = start(config, LONG_DRAIN)) {
        Thread.sleep(QUIET.toMillis());
        assertThat(app.receivedOn(PubSubs.REDIS, topic)).hasSize(1);
        next.stop();
      }
    }
  }
}
