package io.layotto.components.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a consumer of the group, owned by one poll thread that never runs app work
 * itself beyond handing a message to the (non-blocking) handler.
 *
 * <ul>
 *   <li>Commits: each assigned partition has a {@link PartitionTracker}; the poll thread commits its
 *       first un-acked offset, so a message is never committed before its handler's stage completed
 *       normally. Acked prefixes are committed on revoke and on close; a partition that the group
 *       never committed gets its starting position committed on assignment, so a group with
 *       {@code initialOffset=newest} keeps its place while none of its subscriptions is open.</li>
 *   <li>Back-pressure: at most {@code maxInFlight} messages are with the handler or waiting for
 *       their redelivery; when that many are out, or fetched records are still waiting for a slot,
 *       every assigned partition is paused (the consumer keeps polling, so it stays in the group).</li>
 *   <li>A failed stage: the same record is handed out again after the retry interval (doubling);
 *       it keeps the commit point behind it, so it also survives a crash or a rebalance.</li>
 *   <li>Outages: the client reconnects by itself; errors of the loop are retried with backoff.</li>
 * </ul>
 * Handler completions arrive on other threads and are queued to the poll thread, the only one that
 * touches the consumer and the trackers.
 */
final class KafkaSubscription implements Subscription {

  private static final Logger log = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(200);
  private static final Duration BUSY_POLL = Duration.ofMillis(20);
  private static final Duration BLOCKING_CALL = Duration.ofSeconds(5);
  private static final long LIVE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long COMMIT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MIN_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

  private final String topic;
  private final String group;
  private final int maxInFlight;
  private final MessageHandler handler;
  private final KafkaSettings settings;
  private final Consumer<byte[], byte[]> consumer;
  private final ScheduledExecutorService timers;
  private final Runnable onClose;
  private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> live = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;
  private @Nullable Thread poller;

  // Owned by the poll thread.
  private final Map<TopicPartition, PartitionTracker> trackers = new HashMap<>();
  /** Partitions revoked by a rebalance that is not finished: they may come back to us. */
  private final Map<TopicPartition, PartitionTracker> limbo = new HashMap<>();
  private final Set<TopicPartition> awaitingInitialCommit = new HashSet<>();
  private final ArrayDeque<Delivery> ready = new ArrayDeque<>();
  private int busy;
  private boolean assignedOnce;
  private long nextLiveCheck;
  private long nextCommit;

  /** A fetched record on its way to the handler, or back from it. */
  private static final class Delivery {
    final ConsumerRecord<byte[], byte[]> record;
    final TopicPartition partition;
    final PartitionTracker tracker;
    int failures;

    Delivery(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, PartitionTracker tracker) {
      this.record = record;
      this.partition = partition;
      this.tracker = tracker;
    }
  }

  KafkaSubscription(String topic, String group, int maxInFlight, MessageHandler handler, KafkaSettings settings,
      Consumer<byte[], byte[]> consumer, ScheduledExecutorService timers, Runnable onClose) {
    this.topic = topic;
    this.group = group;
    this.maxInFlight = maxInFlight;
    this.handler = handler;
    this.settings = settings;
    this.consumer = consumer;
    this.timers = timers;
    this.onClose = onClose;
  }

  String group() {
    return group;
  }

  /**
   * Starts the poll thread and waits until the subscription is live: the consumer joined the group
   * and every partition of the topic has a committed offset for the group, so nothing published from
   * now on can be skipped by {@code initialOffset=newest}.
   *
   * @throws Exception the failure that stopped it, or a {@link TimeoutException} (the subscription is
   *     closed in both cases)
   */
  void start(Duration timeout) throws Exception {
    Thread thread = Thread.ofPlatform().daemon().name("kafka-" + group + "-" + topic).unstarted(this::run);
    poller = thread;
    thread.start();
    try {
      live.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      close();
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException | InterruptedException e) {
      close();
      throw e;
    }
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      long backoff = 0;
      boolean failing = false;
      while (!closing) {
        try {
          step();
          if (failing) {
            log.info("subscription of group '{}' to topic '{}' is consuming again", group, topic);
            failing = false;
          }
          backoff = 0;
        } catch (InterruptException e) {
          if (closing) {
            break;
          }
          Thread.interrupted();
          backoff = nextBackoff(backoff);
          failing = reportFailure(e, failing);
          sleep(backoff);
        } catch (RuntimeException e) {
          if (closing) {
            break;
          }
          if (!live.isDone() && KafkaErrors.isFatal(e)) {
            live.completeExceptionally(e);
            return;
          }
          failing = reportFailure(e, failing);
          backoff = nextBackoff(backoff);
          sleep(backoff);
        }
      }
    } finally {
      shutdown();
    }
  }

  private boolean reportFailure(Exception e, boolean failing) {
    if (!failing) {
      log.warn("subscription of group '{}' to topic '{}' cannot consume, retrying with backoff: {}", group, topic,
          KafkaErrors.describe(e));
    } else {
      log.debug("subscription of group '{}' to topic '{}' still cannot consume: {}", group, topic, e.toString());
    }
    return true;
  }

  private static long nextBackoff(long backoff) {
    return backoff == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      if (!closing) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void step() {
    drainEvents();
    finishInitialCommits();
    checkLive();
    dispatchReady();
    commitAcked();
    adjustPause();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(busy > 0 || !ready.isEmpty() ? BUSY_POLL : IDLE_POLL);
    for (ConsumerRecord<byte[], byte[]> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      PartitionTracker tracker = trackers.get(partition);
      if (tracker != null) {
        tracker.fetched(record.offset());
        ready.addLast(new Delivery(record, partition, tracker));
      }
    }
    dispatchReady();
  }

  private void drainEvents() {
    Runnable event;
    while ((event = events.poll()) != null) {
      event.run();
    }
  }

  /** Hands ready records to the handler while slots are free; synchronous acks free theirs at once. */
  private void dispatchReady() {
    while (!closing) {
      drainEvents();
      if (busy >= maxInFlight) {
        return;
      }
      Delivery delivery = ready.pollFirst();
      if (delivery == null) {
        return;
      }
      if (isCurrent(delivery)) {
        busy++;
        hand(delivery);
      }
    }
  }

  /** Whether the delivery's partition is still ours (or revoked by a rebalance that may give it back). */
  private boolean isCurrent(Delivery delivery) {
    return trackers.get(delivery.partition) == delivery.tracker || limbo.get(delivery.partition) == delivery.tracker;
  }

  /** Calls the handler; the delivery holds a slot until {@link #completed} releases it. */
  private void hand(Delivery delivery) {
    CompletionStage<Void> stage;
    try {
      stage = handler.handle(toMessage(delivery));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      // A throwing handler is a failed delivery; it must not end the loop or leak the slot.
      stage = CompletableFuture.failedFuture(e);
    }
    if (stage == null) {
      stage = CompletableFuture.failedFuture(new IllegalStateException("the handler returned no stage"));
    }
    stage.whenComplete((ignored, error) -> events.add(() -> completed(delivery, error)));
  }

  private Message toMessage(Delivery delivery) {
    ConsumerRecord<byte[], byte[]> record = delivery.record;
    Map<String, String> metadata = new HashMap<>();
    metadata.put("kafkaPartition", Integer.toString(record.partition()));
    metadata.put("kafkaOffset", Long.toString(record.offset()));
    metadata.put("kafkaTimestamp", Long.toString(record.timestamp()));
    metadata.put("kafkaDeliveryAttempt", Integer.toString(delivery.failures + 1));
    if (record.key() != null) {
      metadata.put("kafkaKey", new String(record.key(), UTF_8));
    }
    byte[] value = record.value();
    return new Message(topic, value == null ? new byte[0] : value, metadata);
  }

  private void completed(Delivery delivery, @Nullable Throwable error) {
    if (error == null) {
      busy--;
      if (isCurrent(delivery)) {
        delivery.tracker.acked(delivery.record.offset());
      }
      return;
    }
    if (closing || !isCurrent(delivery)) {
      // The partition moved to another consumer (or we are closing): it redelivers from the commit point.
      busy--;
      return;
    }
    delivery.failures++;
    Duration delay = settings.retryDelay(delivery.failures);
    log.debug("delivery {} of {}-{}@{} failed ({}); handing it out again in {}", delivery.failures, topic,
        delivery.record.partition(), delivery.record.offset(), error.toString(), delay);
    try {
      // The slot stays taken while waiting, so failing messages cannot pile up without bound.
      timers.schedule(() -> events.add(() -> redeliver(delivery)), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      busy--;
    }
  }

  private void redeliver(Delivery delivery) {
    if (closing || !isCurrent(delivery)) {
      busy--;
      return;
    }
    hand(delivery);
  }

  /**
   * Commits the starting position of newly assigned partitions the group never committed. Until then
   * they stay paused: a record fetched before would move the position past itself.
   */
  private void finishInitialCommits() {
    if (awaitingInitialCommit.isEmpty()) {
      return;
    }
    Set<TopicPartition> partitions = Set.copyOf(awaitingInitialCommit);
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions, BLOCKING_CALL);
    Map<TopicPartition, OffsetAndMetadata> initial = new HashMap<>();
    for (TopicPartition partition : partitions) {
      if (committed.get(partition) == null) {
        initial.put(partition, new OffsetAndMetadata(consumer.position(partition, BLOCKING_CALL)));
      }
    }
    if (!initial.isEmpty()) {
      consumer.commitSync(initial, BLOCKING_CALL);
      log.debug("group '{}' starts {} at {}", group, topic, initial);
    }
    awaitingInitialCommit.removeAll(partitions);
  }

  /** Completes {@link #live} once the consumer joined and every partition of the topic has a committed offset. */
  private void checkLive() {
    if (live.isDone() || !assignedOnce || !awaitingInitialCommit.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    if (now - nextLiveCheck < 0) {
      return;
    }
    nextLiveCheck = now + LIVE_CHECK_NANOS;
    List<PartitionInfo> infos = consumer.partitionsFor(topic, BLOCKING_CALL);
    if (infos == null || infos.isEmpty()) {
      return;
    }
    Set<TopicPartition> all = new HashSet<>();
    infos.forEach(info -> all.add(new TopicPartition(topic, info.partition())));
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(all, BLOCKING_CALL);
    if (all.stream().allMatch(partition -> committed.get(partition) != null)) {
      log.debug("subscription of group '{}' to topic '{}' is live with {}", group, topic, consumer.assignment());
      live.complete(null);
    }
  }

  /** Sends the acked prefixes that moved, at most every 100 ms; a failed commit is sent again later. */
  private void commitAcked() {
    long now = System.nanoTime();
    if (now - nextCommit < 0) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = newCommitPoints(trackers.keySet());
    if (offsets.isEmpty()) {
      return;
    }
    nextCommit = now + COMMIT_EVERY_NANOS;
    Map<TopicPartition, PartitionTracker> sentTo = new HashMap<>();
    offsets.forEach((partition, offset) -> {
      PartitionTracker tracker = trackers.get(partition);
      tracker.sent(offset.offset());
      sentTo.put(partition, tracker);
    });
    consumer.commitAsync(offsets, (done, error) -> {
      if (error != null) {
        log.debug("commit of group '{}' failed, sending it again: {}", group, error.toString());
        offsets.forEach((partition, offset) -> sentTo.get(partition).commitFailed(offset.offset()));
      }
    });
  }

  private Map<TopicPartition, OffsetAndMetadata> newCommitPoints(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      PartitionTracker tracker = trackers.get(partition);
      if (tracker != null && tracker.hasNewCommitPoint()) {
        offsets.put(partition, new OffsetAndMetadata(tracker.commitPoint()));
      }
    }
    return offsets;
  }

  /** Commits what is acked on {@code partitions} and waits for it (revoke, close). */
  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = newCommitPoints(partitions);
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets, BLOCKING_CALL);
      offsets.forEach((partition, offset) -> trackers.get(partition).sent(offset.offset()));
    }
  }

  /** Pauses every assigned partition while no slot is free or fetched records wait; resumes otherwise. */
  private void adjustPause() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return;
    }
    boolean full = busy >= maxInFlight || !ready.isEmpty();
    Set<TopicPartition> paused = consumer.paused();
    Set<TopicPartition> pause = new HashSet<>();
    Set<TopicPartition> resume = new HashSet<>();
    for (TopicPartition partition : assigned) {
      boolean hold = full || awaitingInitialCommit.contains(partition);
      if (hold && !paused.contains(partition)) {
        pause.add(partition);
      } else if (!hold && paused.contains(partition)) {
        resume.add(partition);
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  /** Forgets partitions that are no longer ours: their records come back to the new owner from the commit point. */
  private void forget(Collection<TopicPartition> partitions) {
    Set<TopicPartition> gone = Set.copyOf(partitions);
    gone.forEach(trackers::remove);
    awaitingInitialCommit.removeAll(gone);
    ready.removeIf(delivery -> gone.contains(delivery.partition));
  }

  /**
   * Runs inside {@code poll()}, on the poll thread. The group uses the eager sticky assignor: a
   * rebalance revokes every partition, then assigns the new set, mostly the same. What is acked is
   * committed on revoke; a partition that comes back keeps its tracker, its in-flight and fetched
   * records, and continues after its last fetched record, so a rebalance only redelivers the
   * un-acked messages of partitions that really moved. A subscription's first assignment is final
   * when subscribe() returns, so publishing right after it causes no rebalance.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assignedOnce = true;
      for (TopicPartition partition : partitions) {
        PartitionTracker kept = limbo.remove(partition);
        if (kept != null) {
          trackers.put(partition, kept);
          if (kept.afterLastFetched() >= 0) {
            consumer.seek(partition, kept.afterLastFetched());
          }
        } else {
          trackers.put(partition, new PartitionTracker());
          awaitingInitialCommit.add(partition);
        }
      }
      forget(List.copyOf(limbo.keySet()));
      limbo.clear();
      try {
        finishInitialCommits();
      } catch (RuntimeException e) {
        log.debug("group '{}' could not commit the start of {} yet: {}", group, partitions, e.toString());
        consumer.pause(awaitingInitialCommit);
      }
      log.debug("group '{}' got {} of topic '{}'", group, partitions, topic);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        drainEvents();
        commitSync(partitions);
      } catch (RuntimeException e) {
        log.debug("group '{}' could not commit {} on revoke: {}", group, partitions, e.toString());
      }
      for (TopicPartition partition : partitions) {
        PartitionTracker tracker = trackers.remove(partition);
        if (tracker != null) {
          limbo.put(partition, tracker);
        }
      }
      awaitingInitialCommit.removeAll(partitions);
      log.debug("group '{}' gave up {} of topic '{}'", group, partitions, topic);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
      partitions.forEach(limbo::remove);
      log.info("group '{}' lost {} of topic '{}' (session expired); un-acked messages will be redelivered", group,
          partitions, topic);
    }
  }

  /** On the poll thread when the loop ends: commit what is acked, leave the group. */
  private void shutdown() {
    try {
      drainEvents();
      commitSync(Set.copyOf(trackers.keySet()));
    } catch (RuntimeException e) {
      log.debug("group '{}' could not commit on close: {}", group, e.toString());
    }
    try {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(BLOCKING_CALL));
    } catch (RuntimeException e) {
      log.debug("consumer of group '{}' did not close cleanly: {}", group, e.toString());
    }
    trackers.clear();
    limbo.clear();
    ready.clear();
    live.completeExceptionally(new IllegalStateException("the subscription was closed"));
    onClose.run();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    Thread thread = poller;
    // A handler may close its own subscription from the poll thread: it must not wait for itself.
    if (thread != null && thread != Thread.currentThread()) {
      try {
        if (!thread.join(CLOSE_WAIT)) {
          log.warn("subscription of group '{}' to topic '{}' did not stop within {}; interrupting it", group, topic,
              CLOSE_WAIT);
          thread.interrupt();
          thread.join(CLOSE_WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
