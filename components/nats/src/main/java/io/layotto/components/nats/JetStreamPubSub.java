package io.layotto.components.nats;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub over NATS JetStream. A topic is a subject stored in a stream (see {@link StreamCatalog});
 * publishing waits for the stream's ack. A consumer group is a durable pull consumer with explicit
 * acks filtered on the topic: subscriptions of one group pull from the same durable and compete,
 * other groups have their own durables and each see every message. The connection reconnects
 * forever, and subscriptions rebind after an outage by themselves.
 *
 * <p>{@link #publishAsync} sends with the client's asynchronous publish and completes on its reply,
 * so no thread waits for the stream's ack; the first publish to a topic (which may create its
 * stream) and publishes during an outage take the blocking path on a virtual thread. The one
 * wait left is the client's own back-pressure: when its outgoing queue (5,000 messages by default)
 * is full, the asynchronous publish waits for room, as every jnats publish does.
 *
 * <p>The server here (2.9) has no per-message TTL, so {@code ttlInSeconds} is not supported and
 * {@link PubSubFeature#MESSAGE_TTL} is not declared.
 */
public final class JetStreamPubSub implements NonBlockingPubSub {

  static final Set<PubSubFeature> FEATURES = Set.of(PubSubFeature.BULK_PUBLISH);

  private static final Logger log = LoggerFactory.getLogger(JetStreamPubSub.class);
  private static final Duration RECONNECT_WAIT = Duration.ofSeconds(1);

  private @Nullable JetStreamSettings settings;
  private @Nullable Connection connection;
  private @Nullable JetStream jetStream;
  private @Nullable StreamCatalog catalog;
  private @Nullable ScheduledExecutorService timers;
  /**
   * Bounds each asynchronous publish by {@code requestTimeout}. A timer wheel: arming and cancelling a
   * timeout only queues it, where {@code CompletableFuture.orTimeout} woke the JDK's delay scheduler
   * thread twice per publish (a context switch per message at saturation).
   */
  private @Nullable HashedWheelTimer publishTimeouts;
  /** Runs the blocking publishes {@link #publishAsync} cannot avoid (see the class comment). */
  private final ExecutorService slowPublishes = Executors.newVirtualThreadPerTaskExecutor();
  private final Set<PullSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  @Override
  public Set<PubSubFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata) {
    JetStreamSettings s = JetStreamSettings.from(metadata);
    Connection conn = connect(s, metadata.componentName());
    try {
      JetStreamOptions jsOptions = JetStreamOptions.builder().requestTimeout(s.requestTimeout()).build();
      JetStreamManagement management = conn.jetStreamManagement(jsOptions);
      management.getAccountStatistics(); // fails unless JetStream is enabled for this account
      jetStream = conn.jetStream(jsOptions);
      catalog = new StreamCatalog(management, s.streamName(), s.newStreams());
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      closeQuietly(conn);
      throw ComponentException.unavailable("JetStream is not available at natsURL '" + s.natsUrl() + "': "
          + describe(e), e);
    }
    settings = s;
    connection = conn;
    timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
        .name("jetstream-keepalive-" + metadata.componentName()).factory());
    publishTimeouts = new HashedWheelTimer(Thread.ofPlatform().daemon()
        .name("jetstream-publish-timeouts-" + metadata.componentName()).factory(), 10, TimeUnit.MILLISECONDS);
    log.info("pub/sub '{}' connected to NATS JetStream at {}", metadata.componentName(), conn.getConnectedUrl());
  }

  private Connection connect(JetStreamSettings s, String component) {
    // The client reports every failed reconnect attempt as a disconnect: warn once per outage.
    AtomicBoolean down = new AtomicBoolean();
    ConnectionListener connectionLog = (conn, event) -> {
      switch (event) {
        case DISCONNECTED -> {
          if (!closed && down.compareAndSet(false, true)) {
            log.warn("pub/sub '{}' lost its NATS connection; reconnecting", component);
          }
        }
        case RECONNECTED -> {
          down.set(false);
          log.info("pub/sub '{}' reconnected to NATS at {}", component, conn.getConnectedUrl());
        }
        default -> log.debug("pub/sub '{}' NATS connection event {}", component, event);
      }
    };
    Options.Builder options = Options.builder()
        .servers(s.servers().toArray(String[]::new))
        .maxReconnects(-1)
        .reconnectWait(RECONNECT_WAIT)
        .connectionTimeout(s.requestTimeout())
        .connectionListener(connectionLog)
        .errorListener(new ErrorLog(component))
        // Every JetStream publish is a request; by default each one also flushes the socket from the
        // calling thread, so publishes left one by one and the server read (and answered) each on its
        // own. The writer thread sends what is queued anyway: without the forced flush the server's CPU
        // per message halved and saturated throughput rose 1.6x (docs/benchmarks.md).
        .dontForceFlushOnRequest();
    if (s.connectionName() != null) {
      options.connectionName(s.connectionName());
    }
    if (s.token() != null) {
      options.token(s.token().toCharArray());
    }
    if (s.user() != null) {
      options.userInfo(s.user().toCharArray(), s.password() == null ? new char[0] : s.password().toCharArray());
    }
    if (s.jwt() != null && s.seedKey() != null) {
      options.authHandler(Nats.staticCredentials(s.jwt().toCharArray(), s.seedKey().toCharArray()));
    }
    try {
      return Nats.connect(options.build());
    } catch (IOException | RuntimeException e) {
      throw ComponentException.unavailable("cannot connect to NATS at natsURL '" + s.natsUrl() + "': " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted while connecting to NATS at natsURL '" + s.natsUrl() + "'", e);
    }
  }

  @Override
  public void publish(PublishRequest request) {
    NatsNames.checkTopic(request.topic());
    checkSize(request);
    JetStream js = jetStream();
    StreamCatalog streams = catalog();
    for (int attempt = 1; ; attempt++) {
      try {
        // Ensures a stream stores the subject; the publish itself is routed by subject. No
        // expected-stream header: headers count against max_payload, and a 1 MiB payload must fit.
        streams.streamFor(request.topic());
        PublishAck ack = js.publish(request.topic(), request.data());
        log.trace("published to '{}' as {} #{}", request.topic(), ack.getStream(), ack.getSeqno());
        return;
      } catch (IOException | JetStreamApiException | RuntimeException e) {
        if (attempt == 1 && isConnected()) {
          // The cached stream may be gone or replaced: look it up again and retry once.
          streams.forget(request.topic());
          continue;
        }
        throw publishFailure(request.topic(), e);
      }
    }
  }

  @Override
  public CompletableFuture<Void> publishAsync(PublishRequest request) {
    String topic = request.topic();
    NatsNames.checkTopic(topic);
    checkSize(request);
    JetStream js = jetStream();
    StreamCatalog streams = catalog();
    if (!streams.knows(topic) || !isConnected()) {
      return publishSlowly(request);
    }
    HashedWheelTimer timeouts = requireInit(publishTimeouts);
    CompletableFuture<PublishAck> ack;
    try {
      ack = js.publishAsync(topic, request.data());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(publishFailure(topic, e));
    }
    Duration bound = settings().requestTimeout();
    Timeout timeout;
    try {
      timeout = timeouts.newTimeout(t -> ack.completeExceptionally(new TimeoutException(
          "no ack from the stream within requestTimeout " + bound.toMillis() + " ms")), bound.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(ComponentException.unavailable("the NATS JetStream pub/sub is closed", e));
    }
    return ack.whenComplete((published, failure) -> timeout.cancel())
        .<Void>thenApply(published -> null)
        .exceptionallyCompose(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (isConnected() && !(cause instanceof TimeoutException)) {
            // As in publish: the cached stream may be gone or replaced; look it up again and retry once.
            streams.forget(topic);
            return publishSlowly(request);
          }
          return CompletableFuture.failedFuture(publishFailure(topic, cause));
        });
  }

  /** The blocking {@link #publish} on a virtual thread; UNAVAILABLE when close() has begun meanwhile. */
  private CompletableFuture<Void> publishSlowly(PublishRequest request) {
    try {
      return CompletableFuture.runAsync(() -> publish(request), slowPublishes);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(ComponentException.unavailable("the NATS JetStream pub/sub is closed", e));
    }
  }

  /** Sends all messages before waiting for any ack, so the batch costs about one round trip. */
  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    for (PublishRequest request : requests) {
      NatsNames.checkTopic(request.topic());
      checkSize(request);
    }
    JetStream js = jetStream();
    StreamCatalog streams = catalog();
    List<CompletableFuture<PublishAck>> acks = new ArrayList<>(requests.size());
    try {
      for (PublishRequest request : requests) {
        streams.streamFor(request.topic());
        acks.add(js.publishAsync(request.topic(), request.data()));
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw publishFailure(requests.get(acks.size()).topic(), e);
    }
    long deadline = System.nanoTime() + settings().requestTimeout().toNanos();
    for (int i = 0; i < acks.size(); i++) {
      try {
        acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        streams.forget(requests.get(i).topic());
        throw publishFailure(requests.get(i).topic(), e.getCause() == null ? e : e.getCause());
      } catch (TimeoutException e) {
        throw publishFailure(requests.get(i).topic(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw publishFailure(requests.get(i).topic(), e);
      }
    }
  }

  private void checkSize(PublishRequest request) {
    Connection conn = connection();
    long max = conn.getMaxPayload();
    if (max > 0 && request.data().length > max) {
      throw new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED, "payload of " + request.data().length
          + " bytes for topic '" + request.topic() + "' is over the NATS server's max_payload of " + max + " bytes");
    }
  }

  private ComponentException publishFailure(String topic, Throwable e) {
    return ComponentException.unavailable("publishing to topic '" + topic + "' on NATS JetStream at natsURL '"
        + settings().natsUrl() + "' failed: " + describe(e), e);
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    String topic = request.topic();
    NatsNames.checkTopic(topic);
    JetStreamSettings s = settings();
    ConsumerSettings consumer = s.consumer().overriddenBy(request.metadata(), "subscription to topic '" + topic + "'");
    String durable = NatsNames.durableFor(consumer.durableName() != null ? consumer.durableName() : request.consumerGroup(),
        topic);
    ConsumerConfiguration config = ConsumerConfiguration.builder()
        .durable(durable)
        .filterSubject(topic)
        .ackPolicy(AckPolicy.Explicit)
        .ackWait(consumer.ackWait())
        .maxDeliver(consumer.maxDeliver())
        .deliverPolicy(consumer.deliverPolicy().nats())
        .maxAckPending(consumer.maxAckPending())
        .build();
    PullSubscription[] self = new PullSubscription[1];
    PullSubscription subscription = new PullSubscription(jetStream(), catalog(), topic, config, request.maxInFlight(),
        handler, s.nakDelay(), timers(), () -> subscriptions.remove(self[0]));
    self[0] = subscription;
    try {
      subscription.start();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw ComponentException.unavailable("cannot create durable consumer '" + durable + "' for topic '" + topic
          + "' on NATS JetStream at natsURL '" + s.natsUrl() + "': " + describe(e), e);
    }
    subscriptions.add(subscription);
    if (closed) {
      subscription.close();
    }
    return subscription;
  }

  @Override
  public Health checkHealth() {
    Connection conn = connection;
    JetStreamSettings s = settings;
    if (conn == null || s == null) {
      return Health.down("not initialised");
    }
    Connection.Status status = conn.getStatus();
    return status == Connection.Status.CONNECTED ? Health.up()
        : Health.down("NATS connection to natsURL '" + s.natsUrl() + "' is "
            + status.name().toLowerCase(java.util.Locale.ROOT));
  }

  private boolean isConnected() {
    Connection conn = connection;
    return conn != null && conn.getStatus() == Connection.Status.CONNECTED;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PullSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    ScheduledExecutorService t = timers;
    if (t != null) {
      t.shutdownNow();
    }
    slowPublishes.shutdownNow();
    HashedWheelTimer wheel = publishTimeouts;
    if (wheel != null) {
      wheel.stop(); // publishes still waiting complete when the connection closes
    }
    Connection conn = connection;
    if (conn != null) {
      closeQuietly(conn);
    }
  }

  private static void closeQuietly(Connection conn) {
    try {
      conn.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof JetStreamApiException api) {
      return api.getErrorDescription() + " (error " + api.getApiErrorCode() + ")";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private JetStreamSettings settings() {
    return requireInit(settings);
  }

  private Connection connection() {
    return requireInit(connection);
  }

  private JetStream jetStream() {
    return requireInit(jetStream);
  }

  private StreamCatalog catalog() {
    return requireInit(catalog);
  }

  private ScheduledExecutorService timers() {
    return requireInit(timers);
  }

  private <T> T requireInit(@Nullable T value) {
    if (closed) {
      throw ComponentException.unavailable("the NATS JetStream pub/sub is closed", null);
    }
    if (value == null) {
      throw new IllegalStateException("init() was not called");
    }
    return value;
  }

  /** Sends the client library's asynchronous errors to our log instead of its own. */
  private record ErrorLog(String component) implements ErrorListener {
    @Override
    public void errorOccurred(Connection conn, String error) {
      log.warn("pub/sub '{}': NATS server reported: {}", component, error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      log.debug("pub/sub '{}': NATS client error: {}", component, exp.toString());
    }
  }
}
