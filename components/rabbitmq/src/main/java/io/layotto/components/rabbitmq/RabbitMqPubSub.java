package io.layotto.components.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub on RabbitMQ with Dapr's topology, so a Dapr sidecar and this one can share a broker: each
 * topic is an exchange of that name ({@code exchangeKind}, fanout by default), each consumer group a
 * queue {@code <consumerGroup>-<topic>} bound to it. Subscriptions of one group compete for the
 * queue's messages; every group gets every message.
 *
 * <p>Publishing waits for the broker's confirm (persistent messages by default) so a publish returns
 * only once the broker took responsibility for the message. Consuming acks manually once the
 * handler's stage completed normally. One connection per component with amqp-client's automatic
 * recovery; the component re-declares its topology itself after a recovery.
 */
public final class RabbitMqPubSub implements PubSub {

  /** Per-message TTL is native; bulk publish pipelines the messages and waits for all confirms once. */
  public static final Set<PubSubFeature> FEATURES = Set.of(PubSubFeature.MESSAGE_TTL, PubSubFeature.BULK_PUBLISH);

  private static final Logger log = LoggerFactory.getLogger(RabbitMqPubSub.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int HEARTBEAT_SECONDS = 10;
  private static final String ROUTING_KEY = "routingKey";

  private @Nullable RabbitMqSettings settings;
  private String componentName = "rabbitmq";
  private @Nullable Connection connection;
  private @Nullable ConfirmingPublisher publisher;
  private @Nullable ScheduledExecutorService scheduler;
  /** Topics whose exchange this connection declared; cleared when the connection recovers. */
  private final Set<String> declaredExchanges = ConcurrentHashMap.newKeySet();
  private final Set<RabbitMqSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable String blockedReason;

  @Override
  public Set<PubSubFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata) {
    RabbitMqSettings s = RabbitMqSettings.from(metadata);
    componentName = metadata.componentName();
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(s.uri());
    } catch (Exception e) {
      // amqp-client's messages quote the URI, password included: never pass them on.
      throw ComponentException.invalidArgument("metadata '" + RabbitMqSettings.HOST + "' of component '"
          + componentName + "' is '" + RabbitMqSettings.redact(s.uri()) + "', which amqp-client cannot use: "
          + e.getClass().getSimpleName());
    }
    factory.setAutomaticRecoveryEnabled(true);
    // Topology is declared again by the component itself after a recovery (see RabbitMqSubscription):
    // amqp-client's recorded topology would also bring back queues deleted on purpose.
    factory.setTopologyRecoveryEnabled(false);
    factory.setNetworkRecoveryInterval(s.reconnectWait().toMillis());
    factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
    factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
    factory.setThreadFactory(Thread.ofPlatform().name("rabbitmq-" + componentName + "-", 0).daemon(true).factory());
    Connection conn;
    try {
      conn = factory.newConnection("layotto-" + componentName);
    } catch (IOException | TimeoutException e) {
      throw RabbitMqFailures.translate(e, s.address(), "connection of component '" + componentName + "'");
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("rabbitmq-" + componentName + "-timer").daemon(true).factory());
    ConfirmingPublisher pub = new ConfirmingPublisher(conn, s.publisherConfirm());
    watch(conn, s);
    settings = s;
    connection = conn;
    publisher = pub;
    scheduler = timer;
    if (!s.publisherConfirm()) {
      log.warn("component '{}' publishes to rabbitmq without publisher confirms: a publish may return before the "
          + "broker has the message", componentName);
    }
    log.info("component '{}' connected to rabbitmq at {} ({})", componentName, s.address(), s);
  }

  /** Logs outages once each, forgets declared exchanges after a recovery, and tracks flow control. */
  private void watch(Connection conn, RabbitMqSettings s) {
    conn.addShutdownListener(cause -> {
      if (!cause.isInitiatedByApplication()) {
        log.warn("component '{}' lost its connection to rabbitmq at {} ({}); reconnecting every {}", componentName,
            s.address(), RabbitMqFailures.reason(cause), s.reconnectWait().toMillis() + " ms");
      }
    });
    if (conn instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(new RecoveryListener() {
        @Override
        public void handleRecovery(Recoverable recovered) {
          // A restarted broker may have lost transient exchanges: declare them again on next publish.
          declaredExchanges.clear();
          log.info("component '{}' is connected to rabbitmq at {} again", componentName, s.address());
        }

        @Override
        public void handleRecoveryStarted(Recoverable recovering) {}
      });
    }
    conn.addBlockedListener(new BlockedListener() {
      @Override
      public void handleBlocked(String reason) {
        blockedReason = reason;
        log.warn("rabbitmq at {} blocks publishing of component '{}': {}", s.address(), componentName, reason);
      }

      @Override
      public void handleUnblocked() {
        blockedReason = null;
        log.info("rabbitmq at {} accepts publishing of component '{}' again", s.address(), componentName);
      }
    });
  }

  @Override
  public void publish(PublishRequest request) {
    bulkPublish(List.of(request));
  }

  /**
   * Sends all messages back to back on the publishing channel and waits once for all confirms. On a
   * failure some messages may have been accepted; the caller retries the whole batch (at-least-once).
   */
  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    if (requests.isEmpty()) {
      return;
    }
    RabbitMqSettings s = settings();
    String doing = requests.size() == 1
        ? "publish to topic '" + requests.getFirst().topic() + "'"
        : "bulk publish of " + requests.size() + " messages to topic '" + requests.getFirst().topic() + "'";
    List<ConfirmingPublisher.Outgoing> outgoing = new ArrayList<>(requests.size());
    for (PublishRequest r : requests) {
      if (r.topic().isEmpty()) {
        throw ComponentException.invalidArgument("the topic of a publish must not be empty");
      }
      outgoing.add(new ConfirmingPublisher.Outgoing(r.topic(), routingKey(r), properties(r, s), r.data()));
    }
    try {
      sendAndAwait(outgoing, s, doing);
    } catch (ComponentException e) {
      if (e.kind() != Kind.NOT_FOUND) {
        throw e;
      }
      // The exchange vanished after we declared it (deleted by someone): declare again, once.
      declaredExchanges.clear();
      sendAndAwait(outgoing, s, doing);
    }
  }

  private void sendAndAwait(List<ConfirmingPublisher.Outgoing> outgoing, RabbitMqSettings s, String doing) {
    String blocked = blockedReason;
    if (blocked != null) {
      throw ComponentException.unavailable("rabbitmq at " + s.address() + " blocks publishing (" + blocked
          + "); " + doing + " failed", null);
    }
    ConfirmingPublisher pub = publisher();
    for (ConfirmingPublisher.Outgoing m : outgoing) {
      ensureExchange(m.exchange(), s, doing);
    }
    List<CompletableFuture<Void>> confirms;
    try {
      confirms = pub.send(outgoing);
    } catch (IOException | RuntimeException e) {
      throw RabbitMqFailures.translate(e, s.address(), doing);
    }
    long deadline = System.nanoTime() + s.publishTimeout().toNanos();
    for (CompletableFuture<Void> confirm : confirms) {
      try {
        confirm.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        confirms.forEach(pub::abandon);
        throw ComponentException.unavailable("rabbitmq at " + s.address() + " did not confirm the " + doing
            + " within " + s.publishTimeout().toMillis() + " ms", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof ConfirmingPublisher.RejectedByBroker) {
          throw ComponentException.internal("rabbitmq at " + s.address() + " rejected the " + doing
              + " (basic.nack); retry later", cause);
        }
        throw RabbitMqFailures.translate(cause, s.address(), doing);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ComponentException.unavailable("the " + doing + " was interrupted", e);
      }
    }
  }

  /** Declares the topic's exchange once per connection, on a short-lived channel a refusal may close. */
  private void ensureExchange(String topic, RabbitMqSettings s, String doing) {
    if (declaredExchanges.contains(topic)) {
      return;
    }
    try (Channel ch = connection().createChannel()) {
      if (ch == null) {
        throw new IOException("the broker has no channel left for this connection");
      }
      QueueLayout.declareExchange(ch, topic, s);
    } catch (ShutdownSignalException | IOException | TimeoutException e) {
      throw RabbitMqFailures.translate(e, s.address(), "declaration of exchange '" + topic + "' for the " + doing);
    }
    declaredExchanges.add(topic);
  }

  private static String routingKey(PublishRequest r) {
    String key = r.metadata().get(ROUTING_KEY);
    return key == null ? "" : key;
  }

  private static AMQP.BasicProperties properties(PublishRequest r, RabbitMqSettings s) {
    AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder()
        .deliveryMode(s.deliveryMode() == 0 ? null : s.deliveryMode())
        .contentType(r.contentType())
        .expiration(MessageTtl.expiration(r.topic(), r.metadata(), s.defaultTtlSeconds()));
    String messageId = r.metadata().get("messageID");
    if (messageId != null) {
      b.messageId(messageId);
    }
    String correlationId = r.metadata().get("correlationID");
    if (correlationId != null) {
      b.correlationId(correlationId);
    }
    String type = r.metadata().get("type");
    if (type != null) {
      b.type(type);
    }
    return b.build();
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    RabbitMqSettings s = settings();
    if (request.topic().isEmpty()) {
      throw ComponentException.invalidArgument("the topic of a subscription must not be empty");
    }
    QueueLayout layout = QueueLayout.of(request, s);
    RabbitMqSubscription subscription = new RabbitMqSubscription(connection(), s, layout, handler,
        scheduler(), componentName);
    try {
      subscription.start();
    } catch (IOException | RuntimeException e) {
      subscription.close();
      throw RabbitMqSubscription.startFailure(e, s, layout);
    }
    subscriptions.add(subscription);
    log.info("component '{}' subscribed to topic '{}' with queue '{}' (prefetch {})", componentName,
        request.topic(), layout.queue(), layout.prefetch());
    return new Subscription() {
      @Override
      public void close() {
        subscriptions.remove(subscription);
        subscription.close();
      }
    };
  }

  @Override
  public Health checkHealth() {
    Connection conn = connection;
    RabbitMqSettings s = settings;
    if (conn == null || s == null) {
      return Health.down("not initialised");
    }
    if (!conn.isOpen()) {
      return Health.down("rabbitmq at " + s.address() + " is unreachable; reconnecting every " + s.reconnectWait().toMillis() + " ms");
    }
    String blocked = blockedReason;
    if (blocked != null) {
      return Health.down("rabbitmq at " + s.address() + " blocks publishing: " + blocked);
    }
    return Health.up();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (RabbitMqSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    subscriptions.clear();
    ConfirmingPublisher pub = publisher;
    if (pub != null) {
      pub.close();
    }
    Connection conn = connection;
    if (conn != null) {
      try {
        conn.close(Math.toIntExact(Duration.ofSeconds(5).toMillis()));
      } catch (IOException | RuntimeException e) {
        // Already gone: nothing to release on the broker.
      }
    }
    ScheduledExecutorService timer = scheduler;
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private RabbitMqSettings settings() {
    checkOpen();
    RabbitMqSettings s = settings;
    if (s == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return s;
  }

  private Connection connection() {
    Connection conn = connection;
    if (conn == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return conn;
  }

  private ConfirmingPublisher publisher() {
    ConfirmingPublisher pub = publisher;
    if (pub == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return pub;
  }

  private ScheduledExecutorService scheduler() {
    ScheduledExecutorService timer = scheduler;
    if (timer == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return timer;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw ComponentException.unavailable("component '" + componentName + "' is closed", null);
    }
  }
}
