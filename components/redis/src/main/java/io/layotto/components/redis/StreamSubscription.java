package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a consumer of its own (unique name) in the topic's consumer group, served by
 * one loop thread on a dedicated connection, so blocking reads never hold up the shared one.
 *
 * <p>The loop alternates two steps:
 * <ul>
 *   <li>read new entries with XREADGROUP BLOCK, COUNT bounded by the free in-flight slots (never
 *       more than {@code maxInFlight} entries are handed out and not completed);</li>
 *   <li>a reclaim round, every {@link #roundPeriod}: ack again what could not be acked during an
 *       outage, deliver again the entries whose handler failed at least {@code redeliverInterval}
 *       ago (XCLAIM to itself), and claim entries pending in the group longer than
 *       {@code processingTimeout} (XAUTOCLAIM), which rescues the entries of consumers that died;
 *       now and then it also removes consumers left empty and idle by subscriptions that never
 *       closed ({@link #PRUNE}).</li>
 * </ul>
 * An entry is acked (XACK, on the shared connection) only after its handler's stage completed
 * normally. Failures of Redis never end the loop: it backs off up to {@code maxRetryBackoff}, logs
 * the outage once, and carries on when Lettuce has reconnected.
 *
 * <p>A new group starts at the beginning of the stream ({@code 0}), as Dapr creates it: entries
 * published before the group's first subscription are delivered too. The group outlives every
 * subscription, so a subscriber that goes away and comes back misses nothing.
 */
final class StreamSubscription implements Subscription {

  /** Where a new consumer group starts: the whole stream, as Dapr does. */
  static final String NEW_GROUP_START = "0";
  private static final Duration MAX_BLOCK = Duration.ofSeconds(1);
  private static final Duration MIN_ROUND_PERIOD = Duration.ofMillis(20);
  private static final Duration MAX_ROUND_PERIOD = Duration.ofSeconds(5);
  private static final Duration SLOT_WAIT = Duration.ofMillis(100);
  /** How long a read waits for {@link #batchFloor} free slots when only a few are free. */
  private static final Duration BATCH_WAIT = Duration.ofMillis(2);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
  /** Most entries one XACK acks. */
  private static final int MAX_ACK_BATCH = 1000;
  /**
   * Removes the group's consumers (other than the caller) that hold no pending entry and have been
   * idle for ARGV[3] ms: those of subscriptions that ended without closing (a crashed sidecar) once
   * their entries were claimed. Check and removal are one script, so no consumer that has just
   * taken an entry is removed; a live consumer removed while idle is recreated by its next read.
   */
  private static final LuaScript PRUNE = new LuaScript("""
      local removed = 0
      for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
        local field = {}
        for i = 1, #consumer, 2 do field[consumer[i]] = consumer[i + 1] end
        if field['name'] ~= ARGV[2] and field['pending'] == 0 and field['idle'] >= tonumber(ARGV[3]) then
          redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], field['name'])
          removed = removed + 1
        end
      end
      return removed
      """);
  private static final Duration MIN_PRUNE_PERIOD = Duration.ofSeconds(1);
  private static final Comparator<String> BY_STREAM_ID = Comparator
      .comparingLong((String id) -> idPart(id, 0)).thenComparingLong(id -> idPart(id, 1));
  private static final Logger log = LoggerFactory.getLogger(StreamSubscription.class);

  private final RedisEndpoint endpoint;
  private final RedisStreamsSettings streams;
  private final String topic;
  private final String group;
  private final Consumer<String> consumer;
  private final MessageHandler handler;
  private final java.util.function.Consumer<StreamSubscription> onClose;
  private final StatefulRedisConnection<String, byte[]> loopConnection;
  private final Semaphore slots;
  /** Free slots a read waits (briefly) for when fewer are free: a quarter of maxInFlight, at most queueDepth. */
  private final int batchFloor;
  private final Duration roundPeriod;
  private final Duration block;
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** Entries handed to the handler whose stage has not completed. */
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  /**
   * Entries whose handler failed, with the {@link System#nanoTime()} from which they are delivered
   * again. Each holds an in-flight slot until then.
   */
  private final Map<String, Long> failed = new ConcurrentHashMap<>();
  /** Entries handled successfully whose XACK failed (Redis unreachable); acked again each round. */
  private final Set<String> toAck = ConcurrentHashMap.newKeySet();
  /** Entries handled successfully and not yet in an XACK ({@link #sendAcks()}). */
  private final Queue<String> ackQueue = new ConcurrentLinkedQueue<>();
  /** Whether an XACK of {@link #ackQueue}'s entries awaits its reply. */
  private final AtomicBoolean acking = new AtomicBoolean();
  private final Thread loop;
  /** Where the next XAUTOCLAIM scan of the group's pending entries goes on. */
  private String claimCursor = "0-0";
  private long nextPrune = System.nanoTime();
  private boolean outage;

  private StreamSubscription(RedisEndpoint endpoint, RedisStreamsSettings streams, String topic, String group,
      int maxInFlight, MessageHandler handler, java.util.function.Consumer<StreamSubscription> onClose,
      StatefulRedisConnection<String, byte[]> loopConnection) {
    this.endpoint = endpoint;
    this.streams = streams;
    this.topic = topic;
    this.group = group;
    this.consumer = Consumer.from(group, group + "-" + UUID.randomUUID().toString().substring(0, 8));
    this.handler = handler;
    this.onClose = onClose;
    this.loopConnection = loopConnection;
    this.slots = new Semaphore(maxInFlight);
    this.batchFloor = Math.max(1, Math.min(streams.queueDepth(), maxInFlight / 4));
    Duration shortest = streams.processingTimeout().compareTo(streams.redeliverInterval()) < 0
        ? streams.processingTimeout() : streams.redeliverInterval();
    this.roundPeriod = clamp(shortest.dividedBy(4), MIN_ROUND_PERIOD, MAX_ROUND_PERIOD);
    // A blocking read must end well before the command timeout, or Lettuce would fail it.
    this.block = clamp(endpoint.settings().commandTimeout().dividedBy(2), Duration.ofMillis(1), MAX_BLOCK);
    this.loop = Thread.ofVirtual().name("redis-pubsub-" + topic + "-" + consumer.getName()).unstarted(this::run);
  }

  /**
   * Creates the group when it does not exist yet, opens the loop's connection and starts the loop.
   * Returns once reading can begin; fails with UNAVAILABLE when Redis cannot be reached.
   */
  static StreamSubscription start(RedisEndpoint endpoint, RedisStreamsSettings streams, String topic, String group,
      int maxInFlight, MessageHandler handler, java.util.function.Consumer<StreamSubscription> onClose) {
    createGroup(endpoint, endpoint.redis(), topic, group);
    StatefulRedisConnection<String, byte[]> connection = endpoint.openConnection();
    StreamSubscription subscription = new StreamSubscription(endpoint, streams, topic, group, maxInFlight, handler,
        onClose, connection);
    subscription.loop.start();
    log.info("{} subscribed to topic '{}' as consumer '{}' of group '{}' (max in flight {})",
        endpoint.description(), topic, subscription.consumer.getName(), group, maxInFlight);
    return subscription;
  }

  /** XGROUP CREATE ... MKSTREAM; an existing group (BUSYGROUP) is kept as it is. */
  private static void createGroup(RedisEndpoint endpoint, RedisAsyncCommands<String, byte[]> redis, String topic,
      String group) {
    try {
      endpoint.await(redis.xgroupCreate(StreamOffset.from(topic, NEW_GROUP_START), group,
          new XGroupCreateArgs().mkstream(true)).toCompletableFuture(),
          "creation of consumer group '" + group + "' of topic '" + topic + "'");
    } catch (ComponentException e) {
      if (!serverSaid(e, "BUSYGROUP")) {
        throw e;
      }
    }
  }

  private void run() {
    long nextRound = System.nanoTime(); // the first round at once picks up entries of consumers that died
    long backoffMillis = 0;
    while (running.get()) {
      try {
        if (System.nanoTime() - nextRound >= 0) {
          reclaimRound();
          nextRound = System.nanoTime() + roundPeriod.toNanos();
        }
        long untilRoundMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextRound - System.nanoTime()));
        int taken = takeSlots(Math.min(untilRoundMillis, SLOT_WAIT.toMillis()));
        if (taken > 0) {
          readNew(taken, Math.min(untilRoundMillis, block.toMillis()));
        }
        backoffMillis = 0;
        if (outage) {
          outage = false;
          log.info("{} reads topic '{}' again", endpoint.description(), topic);
        }
      } catch (RuntimeException e) {
        if (!running.get()) {
          break;
        }
        if (serverSaid(e, "NOGROUP")) {
          log.warn("{}: consumer group '{}' of topic '{}' is gone (deleted, or redis lost its data); creating it again",
              endpoint.description(), group, topic);
          claimCursor = "0-0";
          tryToRecreateGroup();
          continue;
        }
        if (!outage) {
          outage = true;
          log.warn("{} cannot read topic '{}'; retrying until redis answers: {}", endpoint.description(), topic,
              e.getMessage());
        } else {
          log.debug("{} still cannot read topic '{}': {}", endpoint.description(), topic, e.getMessage());
        }
        backoffMillis = backoffMillis == 0 ? FIRST_BACKOFF.toMillis()
            : Math.min(backoffMillis * 2, endpoint.settings().maxRetryBackoff().toMillis());
        sleep(backoffMillis);
      }
    }
  }

  private void tryToRecreateGroup() {
    try {
      createGroup(endpoint, loopConnection.async(), topic, group);
    } catch (ComponentException e) {
      log.debug("recreating group '{}' of topic '{}' failed: {}", group, topic, e.getMessage());
      sleep(FIRST_BACKOFF.toMillis());
    }
  }

  /** XREADGROUP of at most {@code taken} new entries; the slots of entries not read are given back. */
  private void readNew(int taken, long blockMillis) {
    List<StreamMessage<String, byte[]>> entries;
    try {
      entries = endpoint.await(loopConnection.async().xreadgroup(consumer,
          XReadArgs.Builder.block(blockMillis).count(taken), StreamOffset.lastConsumed(topic)).toCompletableFuture(),
          "read of topic '" + topic + "'");
    } catch (RuntimeException e) {
      slots.release(taken);
      throw e;
    }
    slots.release(taken - entries.size());
    deliverAll(entries, false);
  }

  private void reclaimRound() {
    ackAgain();
    redeliverFailed();
    claimAbandoned();
    if (System.nanoTime() - nextPrune >= 0) {
      pruneIdleConsumers();
      nextPrune = System.nanoTime() + clamp(streams.processingTimeout(), MIN_PRUNE_PERIOD, MAX_ROUND_PERIOD.multipliedBy(12))
          .toNanos();
    }
  }

  /** Forgets consumers idle for twice processingTimeout with nothing pending (see {@link #PRUNE}). */
  private void pruneIdleConsumers() {
    byte[][] args = {
        group.getBytes(StandardCharsets.UTF_8),
        consumer.getName().getBytes(StandardCharsets.UTF_8),
        String.valueOf(streams.processingTimeout().multipliedBy(2).toMillis()).getBytes(StandardCharsets.US_ASCII)};
    Long removed = endpoint.await(PRUNE.<Long>send(loopConnection.async(), ScriptOutputType.INTEGER,
        new String[] {topic}, args), "removal of idle consumers of group '" + group + "'");
    if (removed != null && removed > 0) {
      log.info("{} removed {} idle consumers without pending entries from group '{}' of topic '{}'",
          endpoint.description(), removed, group, topic);
    }
  }

  private void ackAgain() {
    if (toAck.isEmpty()) {
      return;
    }
    String[] ids = toAck.toArray(String[]::new);
    endpoint.await(loopConnection.async().xack(topic, group, ids).toCompletableFuture(),
        "ack of " + ids.length + " entries of topic '" + topic + "'");
    for (String id : ids) {
      toAck.remove(id);
    }
  }

  /**
   * Delivers again, in stream order, the entries whose handler failed at least
   * {@code redeliverInterval} ago. XCLAIM resets their idle time so the group does not claim them
   * meanwhile; an entry another consumer claimed in the last half interval is left to it.
   */
  private void redeliverFailed() {
    long now = System.nanoTime();
    List<String> due = new ArrayList<>();
    failed.forEach((id, from) -> {
      if (now - from >= 0) {
        due.add(id);
      }
    });
    if (due.isEmpty()) {
      return;
    }
    due.sort(BY_STREAM_ID);
    List<String> ids = due.subList(0, Math.min(due.size(), streams.queueDepth()));
    // Each failed entry still holds its slot, so redelivering it takes none.
    List<StreamMessage<String, byte[]>> claimed = endpoint.await(loopConnection.async().xclaim(topic, consumer,
        XClaimArgs.Builder.minIdleTime(streams.redeliverInterval().dividedBy(2)), ids.toArray(String[]::new))
        .toCompletableFuture(), "redelivery of " + ids.size() + " entries of topic '" + topic + "'");
    Set<String> claimedIds = new java.util.HashSet<>();
    claimed.forEach(entry -> claimedIds.add(entry.getId()));
    List<StreamMessage<String, byte[]>> toDeliver = new ArrayList<>();
    for (String id : ids) {
      if (failed.remove(id) != null && !claimedIds.contains(id)) {
        slots.release(); // another consumer holds it now, or it was deleted from the stream
      }
    }
    for (StreamMessage<String, byte[]> entry : claimed) {
      if (ids.contains(entry.getId())) {
        toDeliver.add(entry);
      }
    }
    deliverAll(toDeliver, true);
  }

  /** XAUTOCLAIM of entries pending in the group longer than {@code processingTimeout}, whoever holds them. */
  private void claimAbandoned() {
    int taken = tryTakeSlots(streams.queueDepth());
    if (taken == 0) {
      return;
    }
    ClaimedMessages<String, byte[]> claimed;
    try {
      claimed = endpoint.await(loopConnection.async().xautoclaim(topic,
          XAutoClaimArgs.Builder.xautoclaim(consumer, streams.processingTimeout(), claimCursor).count(taken))
          .toCompletableFuture(), "claim of pending entries of topic '" + topic + "'");
    } catch (RuntimeException e) {
      slots.release(taken);
      throw e;
    }
    claimCursor = claimed.getId() == null ? "0-0" : claimed.getId();
    List<StreamMessage<String, byte[]>> toDeliver = new ArrayList<>();
    int used = 0;
    for (StreamMessage<String, byte[]> entry : claimed.getMessages()) {
      String id = entry.getId();
      // Still being handled here, or handled and waiting for its ack: claiming only renewed it.
      if (!inFlight.contains(id) && !toAck.contains(id)) {
        if (failed.remove(id) == null) {
          used++; // a failed entry of this subscription brings its own slot
        }
        toDeliver.add(entry);
      }
    }
    slots.release(taken - used);
    if (!toDeliver.isEmpty()) {
      log.debug("{} claimed {} entries of topic '{}' pending longer than {}", endpoint.description(), toDeliver.size(),
          topic, streams.processingTimeout());
    }
    deliverAll(toDeliver, true);
  }

  /** Hands entries to the handler; each holds one slot, given back when its stage completes. */
  private void deliverAll(List<StreamMessage<String, byte[]>> entries, boolean redelivered) {
    for (StreamMessage<String, byte[]> entry : entries) {
      if (!running.get()) {
        slots.release(); // left pending: the group claims it after processingTimeout
        continue;
      }
      if (entry.getBody() == null) {
        // Redis before 7.0 answers a claim of an entry deleted from the stream (trimmed) with
        // nil: nothing left to deliver, so drop it from the pending list.
        toAck.add(entry.getId());
        slots.release();
        continue;
      }
      deliver(entry, redelivered);
    }
  }

  private void deliver(StreamMessage<String, byte[]> entry, boolean redelivered) {
    String id = entry.getId();
    inFlight.add(id);
    CompletionStage<Void> stage;
    try {
      Message message = StreamEntries.message(topic, entry, redelivered);
      stage = handler.handle(message);
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new IllegalStateException("the handler returned no stage"));
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((ignored, failure) -> completed(id, failure));
  }

  private void completed(String id, @Nullable Throwable failure) {
    if (!running.get()) {
      // The subscription is closed: the entry stays pending, to be claimed by the group later.
      release(id);
      return;
    }
    if (failure != null) {
      log.debug("handler of topic '{}' failed on entry {}; delivering it again in {}: {}", topic, id,
          streams.redeliverInterval(), failure.toString());
      // The entry keeps its slot until it is delivered again: a subscription whose handler fails
      // everything stops reading instead of piling up failed entries.
      failed.put(id, System.nanoTime() + streams.redeliverInterval().toNanos());
      inFlight.remove(id);
      return;
    }
    // The handler is done, so the slot is free now: waiting for the XACK reply would add a Redis round
    // trip to every slot's cycle. The id stays in inFlight until the reply, so a claim meanwhile
    // does not deliver it again; a failed XACK is retried by the next round (toAck).
    ackQueue.add(id);
    slots.release();
    sendAcks();
  }

  /**
   * Sends the queued acks as one XACK unless one is already on its way; its reply sends what was
   * queued meanwhile. An ack thus waits at most one XACK round trip, and under load one command
   * acks many entries instead of one command (and one event-loop wake-up) per entry.
   */
  private void sendAcks() {
    if (!acking.compareAndSet(false, true)) {
      return;
    }
    List<String> ids = new ArrayList<>();
    for (String id = ackQueue.poll(); id != null; id = ids.size() < MAX_ACK_BATCH ? ackQueue.poll() : null) {
      ids.add(id);
    }
    if (ids.isEmpty()) {
      acking.set(false);
      if (!ackQueue.isEmpty()) {
        sendAcks(); // queued between the poll and the reset
      }
      return;
    }
    CompletableFuture<Long> ack;
    try {
      ack = endpoint.redis().xack(topic, group, ids.toArray(String[]::new)).toCompletableFuture();
    } catch (RuntimeException e) {
      ack = CompletableFuture.failedFuture(e);
    }
    ack.whenComplete((count, ackFailure) -> {
      if (ackFailure != null) {
        log.debug("ack of {} entries of topic '{}' failed, retrying: {}", ids.size(), topic, ackFailure.toString());
        toAck.addAll(ids);
      }
      ids.forEach(inFlight::remove);
      acking.set(false);
      if (!ackQueue.isEmpty()) {
        sendAcks();
      }
    });
  }

  private void release(String id) {
    inFlight.remove(id);
    slots.release();
  }

  /**
   * Waits up to {@code waitMillis} for one free slot, then takes the free ones up to queueDepth. When
   * only a few are free (the rest are with the handler: the subscription is saturated), it waits up
   * to {@link #BATCH_WAIT} for {@link #batchFloor} of them, so that one XREADGROUP fetches a batch
   * instead of one read (a round trip and an event-loop wake-up) per freed slot.
   */
  private int takeSlots(long waitMillis) {
    try {
      if (!slots.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
        return 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    int taken = 1 + tryTakeSlots(streams.queueDepth() - 1);
    if (taken < batchFloor) {
      try {
        if (slots.tryAcquire(batchFloor - taken, BATCH_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
          taken = batchFloor + tryTakeSlots(streams.queueDepth() - batchFloor);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closing: read with the slots already taken, the loop then ends
      }
    }
    return taken;
  }

  /** Takes up to {@code most} free slots without waiting. */
  private int tryTakeSlots(int most) {
    int taken = 0;
    while (taken < most && slots.tryAcquire()) {
      taken++;
    }
    return taken;
  }

  /**
   * Stops the loop and waits for it (bounded). Entries not completed yet stay pending and are
   * claimed by the group after {@code processingTimeout}. A consumer that holds no pending entry is
   * removed from the group, so groups do not collect one consumer per subscription ever made.
   */
  @Override
  public void close() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    onClose.accept(this);
    if (Thread.currentThread() != loop) { // a handler may close its own subscription
      loop.interrupt();
      try {
        loop.join(endpoint.settings().commandTimeout().plusSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String id = ackQueue.poll(); id != null; id = ackQueue.poll()) {
      toAck.add(id); // handled, not sent yet: acked below rather than left for a claim
    }
    try {
      if (!toAck.isEmpty()) {
        endpoint.await(endpoint.redis().xack(topic, group, toAck.toArray(String[]::new)).toCompletableFuture(),
            "ack of handled entries of topic '" + topic + "'");
      }
      List<PendingMessage> pending = endpoint.await(endpoint.redis().xpending(topic, consumer, Range.create("-", "+"),
          Limit.from(1)).toCompletableFuture(), "pending check of consumer '" + consumer.getName() + "'");
      if (pending.isEmpty()) {
        endpoint.await(endpoint.redis().xgroupDelconsumer(topic, consumer).toCompletableFuture(),
            "removal of consumer '" + consumer.getName() + "'");
      }
    } catch (RuntimeException e) {
      log.debug("cleaning up consumer '{}' of topic '{}' failed: {}", consumer.getName(), topic, e.getMessage());
    }
    try {
      loopConnection.close();
    } catch (RuntimeException e) {
      log.debug("closing the read connection of topic '{}' failed", topic, e);
    }
    log.info("{} unsubscribed consumer '{}' from topic '{}'", endpoint.description(), consumer.getName(), topic);
  }

  /** True when the failure is the Redis server's error reply starting with {@code code}. */
  private static boolean serverSaid(Throwable failure, String code) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).startsWith(code)) {
        return true;
      }
    }
    return false;
  }

  private static long idPart(String id, int part) {
    int dash = id.indexOf('-');
    try {
      return Long.parseLong(part == 0 ? (dash < 0 ? id : id.substring(0, dash)) : (dash < 0 ? "0" : id.substring(dash + 1)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Duration clamp(Duration value, Duration min, Duration max) {
    return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "StreamSubscription[" + topic + ", " + consumer.getName() + "]";
  }
}
