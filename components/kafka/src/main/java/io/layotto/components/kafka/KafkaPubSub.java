package io.layotto.components.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub over Apache Kafka (kafka-clients). A topic is a Kafka topic; a consumer group is a Kafka
 * consumer group, so subscriptions of one group share the topic's partitions and every group gets
 * every message. Publishing waits for the acknowledgement of all in-sync replicas (idempotent
 * producer). Each subscription is one consumer with its own poll thread ({@link KafkaSubscription}),
 * committing only what the handler acked.
 *
 * <p>Order is kept per partition: messages published with the same {@code partitionKey} metadata
 * reach a group in publish order (one at a time with {@code maxInFlight=1}), but a topic with several
 * partitions has no total order, so {@link PubSubFeature#ORDERING} is not declared. Kafka has no
 * per-message expiry, so {@code ttlInSeconds} is left to the runtime's CloudEvents expiration.
 */
public final class KafkaPubSub implements PubSub {

  static final Set<PubSubFeature> FEATURES = Set.of(PubSubFeature.BULK_PUBLISH);

  /** Publish metadata naming the record key (Dapr's name): it picks the partition, and so the order. */
  public static final String PARTITION_KEY = "partitionKey";

  private static final Logger log = LoggerFactory.getLogger(KafkaPubSub.class);
  private static final int MAX_TOPIC_LENGTH = 249;
  /** Room for key, headers and batch framing above the payload limit in a produce request. */
  private static final int REQUEST_OVERHEAD_BYTES = 64 * 1024;
  private static final int LINGER_MS = 5;
  private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(1500);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private @Nullable KafkaSettings settings;
  private @Nullable String componentName;
  private @Nullable Admin admin;
  private @Nullable Producer<byte[], byte[]> producer;
  private @Nullable ScheduledExecutorService timers;
  private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger clientSequence = new AtomicInteger();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private volatile boolean closed;

  @Override
  public Set<PubSubFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata) {
    KafkaSettings s = KafkaSettings.from(metadata);
    Admin a = Admin.create(adminProperties(s));
    try {
      int brokers = a.describeCluster(new DescribeClusterOptions().timeoutMs((int) s.publishTimeout().toMillis()))
          .nodes().get(s.publishTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS).size();
      log.info("pub/sub '{}' connected to Kafka at {} ({} broker(s))", metadata.componentName(), s.bootstrapServers(),
          brokers);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      a.close(Duration.ZERO);
      throw ComponentException.unavailable("no Kafka broker reachable at brokers '" + s.bootstrapServers()
          + "' of component '" + metadata.componentName() + "': " + KafkaErrors.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      a.close(Duration.ZERO);
      throw ComponentException.unavailable("interrupted while connecting to Kafka at brokers '"
          + s.bootstrapServers() + "'", e);
    }
    settings = s;
    componentName = metadata.componentName();
    admin = a;
    producer = new KafkaProducer<>(producerProperties(s));
    timers = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("kafka-retry-" + metadata.componentName()).factory());
  }

  private static Properties common(KafkaSettings s, String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    return p;
  }

  private Properties adminProperties(KafkaSettings s) {
    Properties p = common(s, s.clientId() + "-admin-" + clientSequence.incrementAndGet());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(Math.max(s.publishTimeout().toMillis(), 1_000)));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(s.publishTimeout().toMillis(), 1_000)));
    return p;
  }

  private Properties producerProperties(KafkaSettings s) {
    Properties p = common(s, s.clientId() + "-producer-" + clientSequence.incrementAndGet());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, s.compression().name().toLowerCase(Locale.ROOT));
    int maxRequest = (int) Math.min(Integer.MAX_VALUE, (long) s.maxMessageBytes() + REQUEST_OVERHEAD_BYTES);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequest));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(32L * 1024 * 1024, 2L * maxRequest)));
    long timeout = s.publishTimeout().toMillis();
    p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(30_000, timeout)));
    // must be at least linger.ms + request.timeout.ms
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout + LINGER_MS));
    return p;
  }

  private Properties consumerProperties(KafkaSettings s, String group, String topic, int maxInFlight) {
    Properties p = common(s, s.clientId() + "-" + topic + "-" + clientSequence.incrementAndGet());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, StickyAssignor.class.getName());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, s.initialOffset().resetPolicy());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.min(500, maxInFlight)));
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(s.heartbeatInterval().toMillis()));
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(s.sessionTimeout().toMillis()));
    return p;
  }

  @Override
  public void publish(PublishRequest request) {
    check(request);
    Future<RecordMetadata> sent = send(request);
    await(sent, request.topic());
  }

  /** Sends every record before waiting for any acknowledgement: the producer batches them per partition. */
  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    requests.forEach(this::check);
    List<Future<RecordMetadata>> sent = new ArrayList<>(requests.size());
    for (PublishRequest request : requests) {
      sent.add(send(request));
    }
    for (int i = 0; i < sent.size(); i++) {
      await(sent.get(i), requests.get(i).topic());
    }
  }

  private void check(PublishRequest request) {
    checkTopic(request.topic());
    int max = settings().maxMessageBytes();
    if (request.data().length > max) {
      throw new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED, "payload of " + request.data().length
          + " bytes for topic '" + request.topic() + "' is over maxMessageBytes of component '" + componentName
          + "' (" + max + " bytes)");
    }
  }

  /**
   * Sends one record. A keyed record goes where the producer's partitioner hashes its key. An unkeyed
   * one goes round-robin over the topic's partitions, as Dapr spreads them: the producer's sticky
   * default would put every small unkeyed message on one partition, leaving the other consumers of a
   * group idle.
   */
  private Future<RecordMetadata> send(PublishRequest request) {
    String key = request.metadata().get(PARTITION_KEY);
    byte[] keyBytes = key == null || key.isEmpty() ? null : key.getBytes(UTF_8);
    try {
      Producer<byte[], byte[]> p = producer();
      Integer partition = null;
      if (keyBytes == null) {
        List<PartitionInfo> partitions = p.partitionsFor(request.topic());
        if (partitions.size() > 1) {
          partition = partitions.get(Math.floorMod(roundRobin.getAndIncrement(), partitions.size())).partition();
        }
      }
      return p.send(new ProducerRecord<>(request.topic(), partition, keyBytes, request.data()));
    } catch (RuntimeException e) {
      throw KafkaErrors.toComponentException(publishing(request.topic()), e);
    }
  }

  private void await(Future<RecordMetadata> sent, String topic) {
    try {
      RecordMetadata done = sent.get(settings().publishTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      log.trace("published to {}-{}@{}", topic, done.partition(), done.offset());
    } catch (ExecutionException | RuntimeException e) {
      throw KafkaErrors.toComponentException(publishing(topic), e);
    } catch (TimeoutException e) {
      throw ComponentException.unavailable(publishing(topic) + " failed: no acknowledgement within "
          + settings().publishTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable(publishing(topic) + " was interrupted", e);
    }
  }

  private String publishing(String topic) {
    return "publishing to topic '" + topic + "' on Kafka at brokers '" + settings().bootstrapServers() + "'";
  }

  /** Kafka's rule for topic names; a bad one is the caller's error, not the broker's. */
  static void checkTopic(String topic) {
    if (topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH || topic.equals(".") || topic.equals("..")
        || !topic.matches("[A-Za-z0-9._-]+")) {
      throw ComponentException.invalidArgument("topic '" + topic + "' is not a valid Kafka topic name: 1 to "
          + MAX_TOPIC_LENGTH + " letters, digits, '.', '_' or '-', and not '.' or '..'");
    }
  }

  /**
   * Joins the group (subscription metadata {@code consumerGroup}, else the component's, else the
   * runtime's consumer group) and returns once every partition of the topic has a committed offset
   * for it. A missing topic is created with the broker's defaults, as the broker's auto-creation would.
   */
  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    String topic = request.topic();
    checkTopic(topic);
    KafkaSettings s = settings();
    String group = Optional.ofNullable(request.metadata().get(KafkaSettings.CONSUMER_GROUP))
        .map(String::trim).filter(g -> !g.isEmpty())
        .orElse(s.consumerGroup() != null ? s.consumerGroup() : request.consumerGroup());
    ensureTopic(topic);
    KafkaConsumer<byte[], byte[]> consumer;
    try {
      consumer = new KafkaConsumer<>(consumerProperties(s, group, topic, request.maxInFlight()));
    } catch (RuntimeException e) {
      throw KafkaErrors.toComponentException("creating a consumer of group '" + group + "' for topic '" + topic + "'", e);
    }
    KafkaSubscription[] self = new KafkaSubscription[1];
    KafkaSubscription subscription = new KafkaSubscription(topic, group, request.maxInFlight(), handler, s, consumer,
        timers(), () -> subscriptions.remove(self[0]));
    self[0] = subscription;
    subscriptions.add(subscription);
    String what = "subscribing group '" + group + "' to topic '" + topic + "' on Kafka at brokers '"
        + s.bootstrapServers() + "'";
    try {
      subscription.start(s.subscribeTimeout());
    } catch (TimeoutException e) {
      throw ComponentException.unavailable(what + " failed: the group did not get a committed position on every"
          + " partition within subscribeTimeout (" + s.subscribeTimeout() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable(what + " was interrupted", e);
    } catch (Exception e) {
      throw KafkaErrors.toComponentException(what, e);
    }
    if (closed) {
      subscription.close();
    }
    return subscription;
  }

  private void ensureTopic(String topic) {
    Admin a = admin();
    long timeout = settings().publishTimeout().toMillis();
    try {
      if (a.listTopics().names().get(timeout, TimeUnit.MILLISECONDS).contains(topic)) {
        return;
      }
      a.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all()
          .get(timeout, TimeUnit.MILLISECONDS);
      log.info("pub/sub '{}' created topic '{}' with the broker's default partitions", componentName, topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        // Not fatal: the topic may still appear (another client creating it, broker auto-creation).
        log.warn("pub/sub '{}' could not create topic '{}': {}", componentName, topic, KafkaErrors.describe(e));
      }
    } catch (TimeoutException | RuntimeException e) {
      throw KafkaErrors.toComponentException("looking up topic '" + topic + "' on Kafka at brokers '"
          + settings().bootstrapServers() + "'", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted while looking up topic '" + topic + "'", e);
    }
  }

  @Override
  public Health checkHealth() {
    Admin a = admin;
    KafkaSettings s = settings;
    if (a == null || s == null || closed) {
      return Health.down(closed ? "closed" : "not initialised");
    }
    try {
      int nodes = a.describeCluster(new DescribeClusterOptions().timeoutMs((int) HEALTH_TIMEOUT.toMillis())).nodes()
          .get(HEALTH_TIMEOUT.toMillis() + 200, TimeUnit.MILLISECONDS).size();
      return nodes > 0 ? Health.up() : Health.down("no Kafka broker alive at brokers '" + s.bootstrapServers() + "'");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down("interrupted");
    } catch (Exception e) {
      return Health.down("no Kafka broker reachable at brokers '" + s.bootstrapServers() + "': "
          + KafkaErrors.describe(e));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (KafkaSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    ScheduledExecutorService t = timers;
    if (t != null) {
      t.shutdownNow();
    }
    Producer<byte[], byte[]> p = producer;
    if (p != null) {
      try {
        p.close(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        log.debug("producer did not close cleanly: {}", e.toString());
      }
    }
    Admin a = admin;
    if (a != null) {
      try {
        a.close(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        log.debug("admin client did not close cleanly: {}", e.toString());
      }
    }
  }

  private KafkaSettings settings() {
    return requireInit(settings);
  }

  private Admin admin() {
    return requireInit(admin);
  }

  private Producer<byte[], byte[]> producer() {
    return requireInit(producer);
  }

  private ScheduledExecutorService timers() {
    return requireInit(timers);
  }

  private <T> T requireInit(@Nullable T value) {
    if (closed) {
      throw ComponentException.unavailable("the Kafka pub/sub is closed", null);
    }
    if (value == null) {
      throw new IllegalStateException("init() was not called");
    }
    return value;
  }
}
