package io.layotto.components.mqtt;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: its own connection with a client id stable across restarts and a persistent
 * session, so what is published or left unacked while it is away waits for it on the broker.
 *
 * <p>Every publish is acknowledged only once the handler's stage completed normally (the HiveMQ client
 * sends the acks in arrival order, as MQTT requires, so a failing message holds back later acks). MQTT has no
 * negative acknowledgement and a broker resends unacked messages only on the next connection, so a
 * message whose stage failed is kept and handed to the handler again after {@code redeliveryDelay}
 * (up to {@code backOffMaxRetries} times per connection). At most {@code maxInFlight} messages are
 * with the handler at once; the others wait in arrival order, bounded by the broker's in-flight window.
 *
 * <p>After a lost connection the link reconnects by itself. Deliveries of the lost connection that
 * are still waiting are dropped at once, because the broker sends them again on the resumed session; those
 * with the handler may still complete, but their acks no longer reach the broker, which redelivers
 * them (at-least-once). After every reconnect the subscription is made again (see {@link Events}).
 */
final class MqttSubscription implements Subscription {

  private static final Logger log = LoggerFactory.getLogger(MqttSubscription.class);

  /** One hand-out of a received message: which connection it came on and how often it failed. */
  private record Delivery(MqttLink.Incoming incoming, int connection, int redeliveries) {}

  private final MqttSettings settings;
  private final String topic;
  private final String topicFilter;
  private final String clientId;
  private final MessageHandler handler;
  private final ScheduledExecutorService scheduler;
  private final String componentName;
  private final Runnable onClose;
  private final MqttLink link;
  private final InFlightWindow<Delivery> window;
  private final AtomicInteger connection = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Failed past {@code backOffMaxRetries}: unacked until the connection ends. */
  private final Set<Delivery> parked = ConcurrentHashMap.newKeySet();
  private volatile @Nullable String downReason = "not connected yet";

  MqttSubscription(MqttSettings settings, String topic, String topicFilter, String clientId, int maxInFlight,
      MessageHandler handler, ScheduledExecutorService scheduler, String componentName, Runnable onClose) {
    this(settings, topic, topicFilter, clientId, maxInFlight, handler, scheduler, componentName, onClose,
        (options, listener) -> MqttLink.create(settings, options, listener));
  }

  /** With the link made by {@code links} (tests drive the subscription through a scripted link). */
  MqttSubscription(MqttSettings settings, String topic, String topicFilter, String clientId, int maxInFlight,
      MessageHandler handler, ScheduledExecutorService scheduler, String componentName, Runnable onClose,
      java.util.function.BiFunction<MqttLink.Options, MqttLink.Listener, MqttLink> links) {
    this.settings = settings;
    this.topic = topic;
    this.topicFilter = topicFilter;
    this.clientId = clientId;
    this.handler = handler;
    this.scheduler = scheduler;
    this.componentName = componentName;
    this.onClose = onClose;
    this.window = new InFlightWindow<>(maxInFlight, this::hand);
    this.link = links.apply(new MqttLink.Options(clientId, settings.cleanSession(),
        settings.cleanSession() ? java.time.Duration.ZERO : settings.sessionExpiry()), new Events());
  }

  /** Connects and subscribes; returns once the broker acknowledged the subscription. */
  void start() {
    link.receive(this::arrived);
    long timeout = settings.connectTimeout().toMillis();
    boolean resumed = MqttFailures.await(link.connect(), timeout, settings,
        "connection of the subscription to topic '" + topic + "' (client id '" + clientId + "')");
    MqttFailures.await(link.subscribe(topicFilter), timeout, settings, "subscription to '" + topicFilter + "'");
    log.info("component '{}' subscribed to '{}' as client '{}' ({} session)", componentName, topicFilter, clientId,
        resumed ? "resumed" : "new");
  }

  private void arrived(MqttLink.Incoming incoming) {
    if (closed.get()) {
      return; // unacked: the broker sends it again when the session is next resumed
    }
    window.offer(new Delivery(incoming, connection.get(), 0));
  }

  private void hand(Delivery delivery) {
    if (closed.get()) {
      // Never acked: the connection may still be open while closing, and the broker must keep it.
      window.release();
      return;
    }
    if (delivery.connection() != connection.get()) {
      // From a connection that is gone: the broker sends it again on the next one.
      forget(List.of(delivery));
      window.release();
      return;
    }
    MqttLink.Incoming in = delivery.incoming();
    Message message = new Message(in.topic(), in.payload(), metadataOf(delivery));
    CompletionStage<Void> stage;
    try {
      stage = handler.handle(message);
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new IllegalStateException("the handler returned no stage"));
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((ok, failure) -> {
      if (failure == null) {
        in.ack().run();
        window.release();
      } else {
        window.release();
        failed(delivery, failure);
      }
    });
  }

  /**
   * Acks deliveries of a lost connection. The ack cannot reach the broker any more (it resends these on
   * the next connection); it makes the HiveMQ client drop its copy, without which the client did not
   * hand out the resent message (MqttBrokerRestartTest lost such messages).
   */
  private static void forget(List<Delivery> deliveries) {
    deliveries.forEach(d -> d.incoming().ack().run());
  }

  private void failed(Delivery delivery, Throwable failure) {
    if (closed.get()) {
      return;
    }
    if (delivery.connection() != connection.get()) {
      forget(List.of(delivery));
      return;
    }
    int limit = settings.backOffMaxRetries();
    if (limit >= 0 && delivery.redeliveries() >= limit) {
      log.warn("component '{}': a message of topic '{}' failed {} time(s) on this connection; it stays unacked "
          + "until the broker sends it again on the next connection ({}={})", componentName, topic,
          delivery.redeliveries() + 1, MqttSettings.BACK_OFF_MAX_RETRIES, limit);
      parked.add(delivery);
      if (delivery.connection() != connection.get() && parked.remove(delivery)) {
        forget(List.of(delivery)); // the connection went meanwhile
      }
      return;
    }
    log.debug("component '{}': a message of topic '{}' failed ({}); handing it out again in {} ms", componentName,
        topic, failure.toString(), settings.redeliveryDelay().toMillis());
    Delivery again = new Delivery(delivery.incoming(), delivery.connection(), delivery.redeliveries() + 1);
    try {
      scheduler.schedule(() -> window.offer(again), settings.redeliveryDelay().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing: the message stays unacked and comes back with the session
    }
  }

  private static Map<String, String> metadataOf(Delivery delivery) {
    Map<String, String> m = new HashMap<>();
    MqttLink.Incoming in = delivery.incoming();
    if (in.retain()) {
      m.put("retain", "true");
    }
    if (in.contentType() != null) {
      m.put("contenttype", in.contentType());
    }
    if (delivery.redeliveries() > 0) {
      m.put("redeliveries", String.valueOf(delivery.redeliveries()));
    }
    return m;
  }

  /** UP while connected; otherwise why not. */
  Health health() {
    String reason = downReason;
    return reason == null ? Health.up() : Health.down("subscription to '" + topicFilter + "' (client '" + clientId
        + "'): " + reason);
  }

  String clientId() {
    return clientId;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    window.clearWaiting();
    try {
      // A normal disconnect keeps the session: the group membership and unacked messages stay on the broker.
      link.disconnect().get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Not connected (the broker is away): the session stays as the broker last saw it.
    } finally {
      onClose.run();
    }
  }

  private final class Events implements MqttLink.Listener {
    @Override
    public void connected(boolean sessionPresent, boolean reconnect) {
      if (!reconnect) {
        downReason = null;
        return;
      }
      if (closed.get()) {
        return;
      }
      // Down until the broker confirms the subscription again: a broker may come back without it
      // (Mosquitto 2.0 restores persistent sessions but not their shared subscriptions), and until
      // then it drops what is published to the topic.
      downReason = "subscribing to '" + topicFilter + "' again after reconnecting to " + settings.address();
      int generation = connection.get();
      if (sessionPresent) {
        log.info("component '{}': subscription to '{}' reconnected and resumed its session", componentName,
            topicFilter);
      } else {
        // The broker lost the session (restarted without persistence, or it expired).
        log.warn("component '{}': the broker had no session for client '{}' any more; messages it held for it "
            + "are lost; subscribing to '{}' again", componentName, clientId, topicFilter);
        link.receive(MqttSubscription.this::arrived);
      }
      // Also with a resumed session, in case the broker kept the session but not the subscription.
      // Subscribing again is harmless (MQTT 5 retain handling skips the retained message).
      link.subscribe(topicFilter).whenComplete((ok, failure) -> {
        if (closed.get() || connection.get() != generation) {
          return; // closed, or disconnected again meanwhile: the next connection subscribes again
        }
        if (failure != null) {
          ComponentException e = MqttFailures.translate(failure, settings, "subscription to '" + topicFilter + "'");
          downReason = e.getMessage();
          log.error("component '{}': {}", componentName, e.getMessage());
        } else {
          downReason = null;
        }
      });
    }

    @Override
    public void disconnected(String reason, boolean reconnecting) {
      if (closed.get()) {
        return;
      }
      // Acks of this connection can no longer reach the broker, which sends its unacked messages again
      // on the next one: hand out nothing more that came on it, and make the client forget those copies.
      connection.incrementAndGet();
      forget(window.clearWaiting());
      forget(List.copyOf(parked));
      parked.clear();
      String was = downReason;
      downReason = "disconnected from " + settings.address() + " (" + reason + ")";
      if (was == null) {
        log.warn("component '{}': subscription to '{}' lost its connection to {} ({}); {}", componentName,
            topicFilter, settings.address(), reason,
            reconnecting ? "reconnecting every " + settings.reconnectWait().toMillis() + " ms" : "not reconnecting");
      }
    }
  }
}
