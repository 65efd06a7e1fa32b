package io.layotto.e2e.harness;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.PublishEventRequest;

/**
 * Publishes a list of events through Layotto's {@code PublishEvent} at a steady rate from a few
 * concurrent callers, and keeps the books a reliability test needs: an event counts as sent only
 * once a publish of it was acknowledged (OK). A failed attempt (UNAVAILABLE or DEADLINE_EXCEEDED while
 * the broker is down) is retried with backoff until acknowledged or until {@code giveUpAfter}; failed
 * attempts are counted apart, because the broker may still have stored one (an answer lost in the
 * outage), which shows up as a duplicate, never as a loss.
 *
 * <p>Hold points ({@link #holdAt}) let a test inject a fault at a known point: the publisher stops
 * before the given share of the events until the test {@linkplain #release releases} it, and goes on
 * at its rate from there.
 *
 * <p>Each event is a CloudEvent ({@code application/cloudevents+json}) carrying its own id, so a
 * retried publish carries the same id and the subscriber records ids the publisher knows.
 */
public final class ReliablePublisher {

  /** Codes an outage of the broker (or a sidecar waiting for it) produces; anything else is a bug. */
  private static final Set<Status.Code> RETRIED = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
  private static final Duration ATTEMPT_DEADLINE = Duration.ofSeconds(10);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
  private static final int MAX_SAMPLES = 10;

  /**
   * What happened.
   *
   * @param acknowledged ids of which a publish was acknowledged
   * @param givenUp ids never acknowledged within {@code giveUpAfter}
   * @param failedAttempts failed attempts by status code (each may or may not have been stored)
   * @param retriedEvents events that needed more than one attempt
   * @param unexpected samples of failures with a code other than UNAVAILABLE / DEADLINE_EXCEEDED
   * @param took from the start to the last acknowledgement (or giving up), hold points included
   */
  public record Result(Set<String> acknowledged, Set<String> givenUp, Map<Status.Code, Long> failedAttempts,
      long retriedEvents, long unexpectedCount, List<String> unexpected, Duration took) {

    public long failedAttemptCount() {
      return failedAttempts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final RuntimeGrpc.RuntimeBlockingStub stub;
  private final String pubsubName;
  private final String topic;
  private final List<String> ids;
  private final double ratePerSecond;
  private final int callers;
  private final Duration giveUpAfter;
  private final AtomicInteger next = new AtomicInteger();
  /** Events acknowledged or given up. */
  private final AtomicInteger completed = new AtomicInteger();
  private int[] holdAt = new int[0];
  private CountDownLatch[] released = new CountDownLatch[0];
  /** Per segment between hold points: when it started publishing ({@link System#nanoTime()}). */
  private long[] segmentStart = new long[1];
  private volatile long lastCompletion;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Set<String> givenUp = ConcurrentHashMap.newKeySet();
  private final Map<Status.Code, AtomicLong> failed = new ConcurrentHashMap<>();
  private final AtomicLong retriedEvents = new AtomicLong();
  private final AtomicLong unexpectedCount = new AtomicLong();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private long startNanos;

  public ReliablePublisher(ManagedChannel channel, String pubsubName, String topic, List<String> ids,
      double ratePerSecond, int callers, Duration giveUpAfter) {
    this.stub = RuntimeGrpc.newBlockingStub(channel);
    this.pubsubName = pubsubName;
    this.topic = topic;
    this.ids = List.copyOf(ids);
    this.ratePerSecond = ratePerSecond;
    this.callers = callers;
    this.giveUpAfter = giveUpAfter;
  }

  /**
   * Hold points, as shares of the events in ascending order: before the first event at or beyond
   * each, the publisher waits for {@link #release}. Call before {@link #start}.
   */
  public ReliablePublisher holdAt(double... shares) {
    holdAt = new int[shares.length];
    released = new CountDownLatch[shares.length];
    for (int i = 0; i < shares.length; i++) {
      holdAt[i] = (int) Math.round(shares[i] * ids.size());
      released[i] = new CountDownLatch(1);
    }
    segmentStart = new long[shares.length + 1];
    return this;
  }

  /** Starts publishing in the background. */
  public ReliablePublisher start() {
    startNanos = System.nanoTime();
    segmentStart[0] = startNanos;
    for (int i = 0; i < callers; i++) {
      threads.add(Thread.ofVirtual().name("reliable-publisher-" + i).start(this::publishUntilDone));
    }
    return this;
  }

  /**
   * Waits until the publisher stands at hold point {@code point}: every event before it was
   * acknowledged or given up.
   */
  public void awaitHeld(int point, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (completed.get() < holdAt[point]) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("publishing did not reach hold point " + point + " (event " + holdAt[point]
            + ") within " + timeout + ": " + acknowledged.size() + " acknowledged, " + givenUp.size() + " given up");
      }
      Thread.sleep(10);
    }
  }

  /** Lets the publisher go on beyond hold point {@code point}. */
  public void release(int point) {
    segmentStart[point + 1] = System.nanoTime();
    released[point].countDown(); // publishes the start time to the callers waiting on it
  }

  /** Waits until every event was acknowledged or given up. */
  public Result awaitDone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !t.join(Duration.ofNanos(left))) {
        threads.forEach(Thread::interrupt);
        throw new AssertionError("publishing did not finish within " + timeout + ": " + acknowledged.size() + " of "
            + ids.size() + " acknowledged");
      }
    }
    Map<Status.Code, Long> failures = new TreeMap<>();
    failed.forEach((code, count) -> failures.put(code, count.get()));
    return new Result(Set.copyOf(acknowledged), Set.copyOf(givenUp), failures, retriedEvents.get(),
        unexpectedCount.get(), List.copyOf(unexpected), Duration.ofNanos(lastCompletion - startNanos));
  }

  private void publishUntilDone() {
    int index;
    while ((index = next.getAndIncrement()) < ids.size()) {
      try {
        int segment = 0;
        while (segment < holdAt.length && index >= holdAt[segment]) {
          released[segment].await();
          segment++;
        }
        int first = segment == 0 ? 0 : holdAt[segment - 1];
        long due = segmentStart[segment] + (long) ((index - first) * 1e9 / ratePerSecond);
        sleepNanos(due - System.nanoTime());
        publish(ids.get(index));
        lastCompletion = System.nanoTime();
        completed.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void publish(String id) throws InterruptedException {
    PublishEventRequest request = PublishEventRequest.newBuilder()
        .setPubsubName(pubsubName)
        .setTopic(topic)
        .setDataContentType("application/cloudevents+json")
        .setData(ByteString.copyFrom(cloudEvent(id), StandardCharsets.UTF_8))
        .build();
    long giveUpAt = System.nanoTime() + giveUpAfter.toNanos();
    long backoff = FIRST_BACKOFF.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        stub.withDeadlineAfter(ATTEMPT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).publishEvent(request);
        acknowledged.add(id);
        if (attempt > 1) {
          retriedEvents.incrementAndGet();
        }
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        failed.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
        if (!RETRIED.contains(code)) {
          unexpectedCount.incrementAndGet();
          if (unexpected.size() < MAX_SAMPLES) {
            unexpected.add(id + ": " + e.getStatus());
          }
        }
        if (System.nanoTime() - giveUpAt > 0) {
          givenUp.add(id);
          return;
        }
        sleepNanos(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toNanos());
      }
    }
  }

  private static String cloudEvent(String id) {
    return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"reliability-publisher\","
        + "\"type\":\"io.layotto.e2e.reliability\",\"datacontenttype\":\"text/plain\",\"data\":\"payload of " + id
        + "\"}";
  }

  private static void sleepNanos(long nanos) throws InterruptedException {
    if (nanos > 0) {
      Thread.sleep(Duration.ofNanos(nanos));
    }
  }
}
