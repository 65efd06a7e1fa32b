package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.layotto.e2e.apps.RecordingSubscriberApp;
import io.layotto.e2e.harness.AppProcess;
import io.layotto.e2e.harness.FreePorts;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.NatsServerProcess;
import io.layotto.e2e.harness.RecordedEvents;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.ReliablePublisher;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, part 6: at-least-once delivery survives crashes. N events (system property
 * {@code layotto.reliability.messages}; CI runs 5000, the full size is 100000) are published through
 * the real sidecar at a steady rate ({@code layotto.reliability.rate}, events/s) to a private broker,
 * while a subscriber app in a JVM of its own ({@link RecordingSubscriberApp}: Layotto AppCallback,
 * records each event id with fsync before answering SUCCESS) is killed with SIGKILL and restarted
 * twice, and the broker is killed with SIGKILL and restarted once on the same data. Publishing retries
 * UNAVAILABLE / DEADLINE_EXCEEDED; only acknowledged publishes count as sent.
 *
 * <p>Asserted: no acknowledged event is lost (each is recorded at least once), the faults really hit
 * the run (the first app died mid-stream, publishes failed during the broker outage), and nothing
 * but published ids arrives. Duplicates are expected from at-least-once delivery and only reported.
 * See docs/reliability.md.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class PubSubReliabilityE2ETest {

  static final int MESSAGES = Integer.getInteger("layotto.reliability.messages", 5_000);
  static final double RATE = Double.parseDouble(System.getProperty("layotto.reliability.rate", "300"));

  private static final String PUBSUB = "reliable";
  private static final int CALLERS = 16;
  /** Where the publisher waits for the next fault: app #1 kill, broker kill, app #2 kill. */
  private static final double[] HOLD_POINTS = {0.20, 0.45, 0.70};
  /** How long one event's publish is retried before it is given up (and reported as unacknowledged). */
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);
  /**
   * Bound of each step (reaching a hold point, an app receiving, publishing, draining): generous,
   * as if only 20 events/s got through on a loaded machine.
   */
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(180 + MESSAGES / 20);
  /** Runtime delivery keys: short backoffs, so an app restart is bridged within seconds. */
  private static final Map<String, String> DELIVERY = Map.of(
      "backoffInitialInterval", "100ms",
      "backoffMaxInterval", "1s",
      "deliveryTimeout", "10s");

  /** A broker the scenario crashes once: SIGKILL, then a restart on the same port and data. */
  private record Broker(String description, Runnable kill, Runnable start) {}

  @Test
  void redisStreamsLosesNoAcknowledgedEventWhenTheAppAndRedisCrash(@TempDir Path records) throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startWithAppendOnlyFile()) {
      Map<String, String> metadata = new HashMap<>(DELIVERY);
      metadata.put("redisHost", "127.0.0.1:" + redis.port());
      metadata.put("redisPassword", "");
      // Entries whose handler failed come back after 1s; entries read by an XREADGROUP whose reply the
      // crash swallowed sit pending for this consumer, and are claimed after processingTimeout.
      metadata.put("redeliverInterval", "1s");
      metadata.put("processingTimeout", "10s");
      run("redis", metadata, new Broker("redis-server (AOF, appendfsync always)", redis::kill, redis::start),
          records);
    }
  }

  @Test
  void natsJetStreamLosesNoAcknowledgedEventWhenTheAppAndNatsCrash(@TempDir Path records) throws Exception {
    try (NatsServerProcess nats = NatsServerProcess.startOnFreePort()) {
      Map<String, String> metadata = new HashMap<>(DELIVERY);
      metadata.put("natsURL", nats.url());
      // Messages handed out when the server died are redelivered by it after ackWait.
      metadata.put("ackWait", "5s");
      metadata.put("requestTimeout", "2s");
      run("jetstream", metadata, new Broker("nats-server -js (file store)", nats::kill, nats::start), records);
    }
  }

  private static void run(String type, Map<String, String> metadata, Broker broker, Path records) throws Exception {
    String runId = UUID.randomUUID().toString().substring(0, 8);
    String topic = "reliability-" + runId;
    List<String> ids = IntStream.range(0, MESSAGES).mapToObj(i -> String.format("%s-%07d", runId, i)).toList();
    int appPort = FreePorts.one();
    List<Path> recordFiles = new ArrayList<>();
    List<String> timeline = new ArrayList<>();
    long t0 = System.nanoTime();

    AppProcess app = startApp(appPort, topic, records, recordFiles);
    try (SidecarProcess sidecar = SidecarProcess.start(SidecarConfig.defaults()
        .withAppId("reliability-" + type)
        .withAppCallbackPort(appPort)
        .withPubSub(PUBSUB, type, metadata))) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try {
        ReliablePublisher publisher = new ReliablePublisher(channel, PUBSUB, topic, ids, RATE, CALLERS, GIVE_UP_AFTER)
            .holdAt(HOLD_POINTS)
            .start();
        timeline.add(at(t0) + " publishing " + MESSAGES + " events at " + RATE + "/s");

        // Each fault waits until the publisher stands at its hold point and the app is receiving, so it
        // lands mid-stream however slow the machine is; publishing goes on right after the kill.
        publisher.awaitHeld(0, STEP_TIMEOUT);
        held(timeline, t0, 0);
        awaitRecorded(recordFiles, 0, 1);
        app.kill();
        publisher.release(0);
        timeline.add(at(t0) + " app #1 SIGKILLed (" + recorded(recordFiles) + ")");
        Thread.sleep(1_000);
        app.close();
        app = startApp(appPort, topic, records, recordFiles);
        timeline.add(at(t0) + " app #2 listening");

        publisher.awaitHeld(1, STEP_TIMEOUT);
        held(timeline, t0, 1);
        awaitRecorded(recordFiles, 1, 1);
        timeline.add(at(t0) + " app #2 receiving");
        broker.kill().run();
        publisher.release(1);
        timeline.add(at(t0) + " " + broker.description() + " SIGKILLed (" + recorded(recordFiles) + ")");
        Thread.sleep(3_000);
        broker.start().run();
        long atBrokerRestart = RecordedEvents.read(recordFiles).perFile().get(recordFiles.get(1).getFileName().toString());
        timeline.add(at(t0) + " broker restarted");

        publisher.awaitHeld(2, STEP_TIMEOUT);
        held(timeline, t0, 2);
        awaitRecorded(recordFiles, 1, atBrokerRestart + 1);
        timeline.add(at(t0) + " app #2 receiving after the broker restart");
        app.kill();
        publisher.release(2);
        timeline.add(at(t0) + " app #2 SIGKILLed (" + recorded(recordFiles) + ")");
        Thread.sleep(1_000);
        app.close();
        app = startApp(appPort, topic, records, recordFiles);
        timeline.add(at(t0) + " app #3 listening");

        ReliablePublisher.Result published = publisher.awaitDone(STEP_TIMEOUT.plus(GIVE_UP_AFTER));
        timeline.add(at(t0) + " publishing done: " + published.acknowledged().size() + " acknowledged, "
            + published.took().toSeconds() + "s after the first publish");

        RecordedEvents received = awaitReceived(published.acknowledged(), recordFiles, STEP_TIMEOUT);
        timeline.add(at(t0) + " every acknowledged event recorded");

        Set<String> lost = new HashSet<>(published.acknowledged());
        lost.removeAll(received.distinct());
        Set<String> foreign = new HashSet<>(received.distinct());
        ids.forEach(foreign::remove);
        Set<String> unacknowledgedButReceived = new HashSet<>(published.givenUp());
        unacknowledgedButReceived.retainAll(received.distinct());
        System.out.printf("""
            [reliability %s] %s
              published: %d events, %d acknowledged, %d given up unacknowledged (%d of them received anyway),
                         %d failed attempts %s, %d events acknowledged only after retries
              received:  %d distinct, %d lost, %d duplicates (%d records in total, per app process %s)
              timeline:  %s
            """, type, broker.description(), MESSAGES, published.acknowledged().size(), published.givenUp().size(),
            unacknowledgedButReceived.size(), published.failedAttemptCount(), published.failedAttempts(),
            published.retriedEvents(), received.distinct().size(), lost.size(), received.duplicates(),
            received.total(), received.perFile(), String.join("\n             ", timeline));

        assertThat(published.unexpected()).as("publish failures other than UNAVAILABLE/DEADLINE_EXCEEDED (%d)",
            published.unexpectedCount()).isEmpty();
        assertThat(published.givenUp()).as("events whose publish was never acknowledged within %s", GIVE_UP_AFTER)
            .isEmpty();
        assertThat(lost).as("acknowledged events never received").isEmpty();
        assertThat(foreign).as("received ids that were never published").isEmpty();
        // The faults hit the run: the first app died mid-stream, and the broker outage failed publishes.
        assertThat(received.perFile().get(recordFiles.get(0).getFileName().toString()))
            .as("events recorded by app #1 before it was killed").isBetween(1L, (long) MESSAGES - 1);
        assertThat(received.perFile().get(recordFiles.get(2).getFileName().toString()))
            .as("events recorded by app #3").isPositive();
        assertThat(published.failedAttemptCount()).as("publish attempts failed while the broker was down")
            .isPositive();

        sidecar.stop();
      } catch (Exception | Error e) {
        // The sidecar's and the app's own words, before try-with-resources removes them.
        System.out.println("[reliability " + type + " failed] timeline: " + timeline + "\n" + sidecar.logs() + "\n"
            + app.logs());
        throw e;
      } finally {
        GrpcClients.close(channel);
      }
    } finally {
      app.close();
    }
  }

  private static AppProcess startApp(int port, String topic, Path records, List<Path> recordFiles) {
    Path file = records.resolve("received-" + (recordFiles.size() + 1) + ".log");
    recordFiles.add(file);
    return AppProcess.start(RecordingSubscriberApp.class,
        List.of(String.valueOf(port), PUBSUB, topic, file.toString()), port);
  }

  /** Waits until app process {@code index} (from 0) recorded at least {@code count} events. */
  private static void awaitRecorded(List<Path> recordFiles, int index, long count) throws InterruptedException {
    String file = recordFiles.get(index).getFileName().toString();
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (RecordedEvents.read(recordFiles).perFile().get(file) < count) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("app #" + (index + 1) + " did not record " + count + " events within " + STEP_TIMEOUT
            + "; recorded " + RecordedEvents.read(recordFiles).perFile());
      }
      Thread.sleep(200);
    }
  }

  /** Waits until every acknowledged event was recorded; fails naming how many (and some) are missing. */
  private static RecordedEvents awaitReceived(Set<String> acknowledged, List<Path> recordFiles, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      RecordedEvents received = RecordedEvents.read(recordFiles);
      if (received.distinct().containsAll(acknowledged)) {
        return received;
      }
      if (System.nanoTime() - deadline > 0) {
        List<String> missing = acknowledged.stream().filter(id -> !received.distinct().contains(id)).sorted().toList();
        throw new AssertionError(missing.size() + " of " + acknowledged.size() + " acknowledged events were not received"
            + " within " + timeout + ", e.g. " + missing.subList(0, Math.min(10, missing.size())) + "; recorded "
            + received.perFile());
      }
      Thread.sleep(1_000);
    }
  }

  private static void held(List<String> timeline, long t0, int point) {
    timeline.add(at(t0) + " publisher held at " + Math.round(HOLD_POINTS[point] * 100) + "%");
  }

  private static String recorded(List<Path> recordFiles) {
    return RecordedEvents.read(recordFiles).distinct().size() + " recorded so far";
  }

  private static String at(long t0) {
    return String.format("%6.1fs", (System.nanoTime() - t0) / 1e9);
  }
}
