package io.layotto.runtime.testing;

import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small in-process broker for runtime tests, following the SPI delivery contract: per topic and
 * consumer group one queue; a message is removed only when the handler's stage completes normally,
 * put back otherwise or when its subscription closes first; at most maxInFlight outstanding.
 */
public final class TestPubSub implements PubSub {

  /** Every publish, for assertions (topic, payload). */
  public final List<PublishRequest> published = new CopyOnWriteArrayList<>();
  /** Counts subscribe calls. */
  public final AtomicInteger subscribeCalls = new AtomicInteger();
  /** Counts subscribe calls that returned (the subscription exists). */
  public final AtomicInteger subscriptionsMade = new AtomicInteger();
  /** How long subscribe takes, as a slow broker's round trip would. */
  public volatile long subscribeDelayMillis;
  public volatile int maxObservedInFlight;
  /** Messages removed from a queue because their handler's stage completed normally. */
  public final AtomicInteger acks = new AtomicInteger();
  /** Subscriptions made and not closed yet. */
  public final AtomicInteger openSubscriptions = new AtomicInteger();
  /** {@link #openSubscriptions} when {@link #close()} was called; -1 before. */
  public volatile int openAtClose = -1;
  public volatile String consumerId = "";

  private final Map<String, Map<String, LinkedBlockingDeque<Message>>> queues = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();
  private volatile boolean failPublish;

  @Override
  public void init(Metadata metadata) {
    consumerId = metadata.getString("consumerID", "");
    failPublish = metadata.getBoolean("failPublish", false);
  }

  @Override
  public Set<PubSubFeature> features() {
    return Set.of();
  }

  @Override
  public Health checkHealth() {
    return Health.up();
  }

  @Override
  public void publish(PublishRequest request) {
    if (failPublish) {
      throw io.layotto.spi.ComponentException.unavailable("test broker refuses publishes", null);
    }
    published.add(request);
    Message message = new Message(request.topic(), request.data(),
        Map.of("messageId", "m" + nextId.incrementAndGet()));
    queues.computeIfAbsent(request.topic(), t -> new ConcurrentHashMap<>()).values()
        .forEach(q -> q.add(message));
  }

  /** Creates the group's queue, so messages published before the first subscribe are kept. */
  public void declareGroup(String topic, String group) {
    queue(topic, group);
  }

  public int pending(String topic, String group) {
    return queue(topic, group).size();
  }

  private LinkedBlockingDeque<Message> queue(String topic, String group) {
    return queues.computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(group, g -> new LinkedBlockingDeque<>());
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    subscribeCalls.incrementAndGet();
    if (subscribeDelayMillis > 0) {
      try {
        Thread.sleep(subscribeDelayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw io.layotto.spi.ComponentException.internal("interrupted while subscribing", e);
      }
    }
    LinkedBlockingDeque<Message> queue = queue(request.topic(), request.consumerGroup());
    Semaphore slots = new Semaphore(request.maxInFlight());
    AtomicBoolean closed = new AtomicBoolean();
    Set<AtomicBoolean> outstanding = ConcurrentHashMap.newKeySet();
    Map<AtomicBoolean, Message> byToken = new ConcurrentHashMap<>();
    AtomicInteger inFlight = new AtomicInteger();
    Thread dispatcher = Thread.ofVirtual().start(() -> {
      while (!closed.get()) {
        try {
          if (!slots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
            continue;
          }
          Message m = queue.poll(50, TimeUnit.MILLISECONDS);
          if (m == null || closed.get()) {
            if (m != null) {
              queue.addFirst(m);
            }
            slots.release();
            continue;
          }
          AtomicBoolean settled = new AtomicBoolean();
          outstanding.add(settled);
          byToken.put(settled, m);
          maxObservedInFlight = Math.max(maxObservedInFlight, inFlight.incrementAndGet());
          try {
            handler.handle(m).whenComplete((v, error) -> {
              if (settled.compareAndSet(false, true)) {
                outstanding.remove(settled);
                byToken.remove(settled);
                if (error != null) {
                  queue.addLast(m);
                } else {
                  acks.incrementAndGet();
                }
                inFlight.decrementAndGet();
                slots.release();
              }
            });
          } catch (RuntimeException e) {
            if (settled.compareAndSet(false, true)) {
              outstanding.remove(settled);
              byToken.remove(settled);
              queue.addLast(m);
              inFlight.decrementAndGet();
              slots.release();
            }
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    subscriptionsMade.incrementAndGet();
    openSubscriptions.incrementAndGet();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        openSubscriptions.decrementAndGet();
        try {
          dispatcher.join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (AtomicBoolean token : Set.copyOf(outstanding)) {
          Message m = byToken.remove(token);
          if (token.compareAndSet(false, true) && m != null) {
            queue.addFirst(m);
          }
        }
      }
    };
  }

  @Override
  public void close() {
    openAtClose = openSubscriptions.get();
  }
}
