package io.layotto.components.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.layotto.components.mqtt.MqttSettings.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub on an MQTT broker: types {@code mqtt} (MQTT 5) and {@code mqtt3} (MQTT 3.1.1). Topics are MQTT
 * topics as they are. Publishing uses one connection with a clean session and waits for the broker's
 * acknowledgement (PUBACK at QoS 1, PUBREC at QoS 2). Each subscription has a connection of its own with
 * a persistent session ({@link MqttSubscription}); with {@code sharedSubscriptions} (default) it
 * subscribes to {@code $share/<consumer group>/<topic>}, so the subscriptions of one group compete and
 * every group gets every message.
 */
public final class MqttPubSub implements PubSub {

  /** MQTT 5 expires messages natively (message expiry interval); MQTT 3.1.1 cannot. */
  static final Set<PubSubFeature> FEATURES_5 = Set.of(PubSubFeature.BULK_PUBLISH, PubSubFeature.MESSAGE_TTL);
  static final Set<PubSubFeature> FEATURES_3 = Set.of(PubSubFeature.BULK_PUBLISH);

  private static final Logger log = LoggerFactory.getLogger(MqttPubSub.class);
  private static final String TTL_IN_SECONDS = "ttlInSeconds";
  private static final String SHARE_PREFIX = "$share/";

  private final Version version;
  private String componentName;
  private @Nullable MqttSettings settings;
  private @Nullable MqttLink publisher;
  private @Nullable ClientIds clientIds;
  private @Nullable ScheduledExecutorService scheduler;
  private final Set<MqttSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable String publisherDown = "not connected yet";

  public MqttPubSub(Version version) {
    this.version = version;
    this.componentName = version.type();
  }

  static Set<PubSubFeature> features(Version version) {
    return version == Version.MQTT_5 ? FEATURES_5 : FEATURES_3;
  }

  @Override
  public Set<PubSubFeature> features() {
    return features(version);
  }

  @Override
  public void init(Metadata metadata) {
    MqttSettings s = MqttSettings.from(metadata, version);
    componentName = metadata.componentName();
    String producerId = s.producerId() != null ? s.producerId()
        : s.instanceId() + "-" + componentName + "-pub-" + UUID.randomUUID().toString().substring(0, 8);
    // Publishing needs no session: a publish not acknowledged when the connection drops fails, and the
    // caller publishes again (at-least-once).
    MqttLink link = MqttLink.create(s, new MqttLink.Options(producerId, true, Duration.ZERO),
        new PublisherEvents(s));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("mqtt-" + componentName + "-timer").daemon(true).factory());
    try {
      MqttFailures.await(link.connect(), s.connectTimeout().toMillis(), s,
          "connection of component '" + componentName + "' (client id '" + producerId + "')");
    } catch (RuntimeException e) {
      link.disconnect();
      timer.shutdownNow();
      throw e;
    }
    settings = s;
    publisher = link;
    scheduler = timer;
    clientIds = new ClientIds(s.instanceId());
    if (s.cleanSession()) {
      log.warn("component '{}' uses clean sessions: messages published or left unacked while a subscriber is "
          + "disconnected are lost", componentName);
    }
    log.info("component '{}' connected to {} ({})", componentName, s.address(), s);
  }

  @Override
  public void publish(PublishRequest request) {
    bulkPublish(List.of(request));
  }

  /**
   * Sends every message back to back and then waits for all acknowledgements, bounded by
   * {@code publishTimeout} in total. On a failure some messages may have been accepted; the caller
   * publishes the batch again (at-least-once).
   */
  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    if (requests.isEmpty()) {
      return;
    }
    MqttSettings s = settings();
    for (PublishRequest r : requests) {
      checkTopicName(r.topic());
    }
    String doing = requests.size() == 1
        ? "publish to topic '" + requests.getFirst().topic() + "'"
        : "bulk publish of " + requests.size() + " messages to topic '" + requests.getFirst().topic() + "'";
    MqttLink link = publisher();
    if (!link.isConnected()) {
      throw ComponentException.unavailable("mqtt broker at " + s.address() + " is unreachable (" + publisherDown
          + "); " + doing + " failed", null);
    }
    List<CompletableFuture<Void>> acks = new ArrayList<>(requests.size());
    for (PublishRequest r : requests) {
      acks.add(link.publish(r.topic(), r.data(), r.contentType(), expiry(r)));
    }
    long deadline = System.nanoTime() + s.publishTimeout().toNanos();
    for (CompletableFuture<Void> ack : acks) {
      long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      MqttFailures.await(ack, left, s, doing);
    }
  }

  private OptionalLong expiry(PublishRequest r) {
    String ttl = r.metadata().get(TTL_IN_SECONDS);
    if (version != Version.MQTT_5 || ttl == null || ttl.isBlank()) {
      return OptionalLong.empty();
    }
    long seconds;
    try {
      seconds = Long.parseLong(ttl.trim());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > MqttSettings.MAX_SESSION_EXPIRY_SECONDS) {
      throw ComponentException.invalidArgument("publish metadata '" + TTL_IN_SECONDS + "' of topic '" + r.topic()
          + "' is '" + ttl + "', expected a number of seconds from 1 to " + MqttSettings.MAX_SESSION_EXPIRY_SECONDS);
    }
    return OptionalLong.of(seconds);
  }

  private static void checkTopicName(String topic) {
    if (topic.isEmpty()) {
      throw ComponentException.invalidArgument("the topic of a publish must not be empty");
    }
    if (topic.startsWith("$")) {
      throw ComponentException.invalidArgument("topic '" + topic + "' starts with '$', which MQTT reserves for the "
          + "broker ($SYS, $share)");
    }
    try {
      MqttTopic.of(topic);
    } catch (IllegalArgumentException e) {
      throw ComponentException.invalidArgument("topic '" + topic + "' is not a valid MQTT topic name to publish to: "
          + e.getMessage());
    }
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    MqttSettings s = settings();
    String topic = request.topic();
    String group = request.consumerGroup();
    String filter = topicFilter(s, topic, group);
    ClientIds ids = clientIds();
    int slot = ids.acquire(group, topic);
    String clientId = ids.subscriber(group, topic, slot);
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        ids.release(group, topic, slot);
      }
    };
    MqttSubscription[] self = new MqttSubscription[1];
    MqttSubscription subscription = new MqttSubscription(s, topic, filter, clientId, request.maxInFlight(), handler,
        scheduler(), componentName, () -> {
          release.run();
          subscriptions.remove(self[0]);
        });
    self[0] = subscription;
    try {
      subscription.start();
    } catch (RuntimeException e) {
      subscription.close();
      throw e;
    }
    subscriptions.add(subscription);
    return subscription;
  }

  private static String topicFilter(MqttSettings s, String topic, String group) {
    if (topic.isEmpty()) {
      throw ComponentException.invalidArgument("the topic of a subscription must not be empty");
    }
    if (topic.startsWith(SHARE_PREFIX)) {
      throw ComponentException.invalidArgument("topic '" + topic + "': subscribe to the plain topic; the component "
          + "makes the shared subscription $share/<consumerID>/<topic> itself (metadata '"
          + MqttSettings.SHARED_SUBSCRIPTIONS + "')");
    }
    try {
      MqttTopicFilter.of(topic);
    } catch (IllegalArgumentException e) {
      throw ComponentException.invalidArgument("topic '" + topic + "' is not a valid MQTT topic filter: "
          + e.getMessage());
    }
    if (!s.sharedSubscriptions()) {
      return topic;
    }
    if (group.contains("/") || group.contains("+") || group.contains("#")) {
      throw ComponentException.invalidArgument("consumer group '" + group + "' (metadata '" + MqttSettings.CONSUMER_ID
          + "') cannot name a shared subscription: it must not contain '/', '+' or '#'");
    }
    return SHARE_PREFIX + group + "/" + topic;
  }

  @Override
  public Health checkHealth() {
    MqttSettings s = settings;
    MqttLink link = publisher;
    if (s == null || link == null) {
      return Health.down("not initialised");
    }
    if (closed.get()) {
      return Health.down("closed");
    }
    if (!link.isConnected()) {
      return Health.down("mqtt broker at " + s.address() + " is unreachable (" + publisherDown + "); reconnecting "
          + "every " + s.reconnectWait().toMillis() + " ms");
    }
    for (MqttSubscription subscription : subscriptions) {
      Health health = subscription.health();
      if (!health.isUp()) {
        return health;
      }
    }
    return Health.up();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (MqttSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    subscriptions.clear();
    MqttLink link = publisher;
    MqttSettings s = settings;
    if (link != null && s != null) {
      try {
        link.disconnect().get(s.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // Not connected: nothing to release on the broker.
      }
    }
    ScheduledExecutorService timer = scheduler;
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private MqttSettings settings() {
    if (closed.get()) {
      throw ComponentException.unavailable("component '" + componentName + "' is closed", null);
    }
    MqttSettings s = settings;
    if (s == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return s;
  }

  private MqttLink publisher() {
    MqttLink link = publisher;
    if (link == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return link;
  }

  private ClientIds clientIds() {
    ClientIds ids = clientIds;
    if (ids == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return ids;
  }

  private ScheduledExecutorService scheduler() {
    ScheduledExecutorService timer = scheduler;
    if (timer == null) {
      throw new IllegalStateException("component '" + componentName + "' is not initialised");
    }
    return timer;
  }

  /** Logs outages of the publishing connection once each and remembers why it is down. */
  private final class PublisherEvents implements MqttLink.Listener {
    private final MqttSettings s;

    PublisherEvents(MqttSettings s) {
      this.s = s;
    }

    @Override
    public void connected(boolean sessionPresent, boolean reconnect) {
      publisherDown = null;
      if (reconnect) {
        log.info("component '{}' is connected to the mqtt broker at {} again", componentName, s.address());
      }
    }

    @Override
    public void disconnected(String reason, boolean reconnecting) {
      String was = publisherDown;
      publisherDown = "disconnected: " + reason;
      if (was == null && !closed.get()) {
        log.warn("component '{}' lost its connection to the mqtt broker at {} ({}); {}", componentName, s.address(),
            reason, reconnecting ? "reconnecting every " + s.reconnectWait().toMillis() + " ms" : "not reconnecting");
      }
    }
  }
}
