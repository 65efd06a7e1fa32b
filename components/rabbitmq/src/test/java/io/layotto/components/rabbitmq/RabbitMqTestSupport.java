package io.layotto.components.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PubSub;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The shared broker of the tests and a direct amqp-client connection to look at it and to delete
 * what a test run created (RabbitMQ cannot list queues over AMQP, so tests remember their names).
 */
final class RabbitMqTestSupport implements AutoCloseable {

  static final String SHARED_URI = "amqp://guest:guest@127.0.0.1:5672";

  private final Connection connection;
  private final Set<String> exchanges = ConcurrentHashMap.newKeySet();
  private final Set<String> queues = ConcurrentHashMap.newKeySet();

  RabbitMqTestSupport() {
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(SHARED_URI);
      factory.setAutomaticRecoveryEnabled(false);
      connection = factory.newConnection("layotto-test-admin");
    } catch (Exception e) {
      throw new IllegalStateException("the shared RabbitMQ at 127.0.0.1:5672 is not reachable", e);
    }
  }

  /** A random name prefix for one test run. */
  static String runPrefix() {
    return "lt-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  static PubSub open(String uri, Map<String, String> extra) {
    Map<String, String> metadata = new HashMap<>();
    metadata.put("host", uri);
    metadata.put("reconnectWait", "200ms");
    metadata.putAll(extra);
    PubSub pubSub = new RabbitMqPubSubFactory().create();
    pubSub.init(new Metadata("rabbitmq_test", metadata));
    return pubSub;
  }

  static PubSub openShared(Map<String, String> extra) {
    return open(SHARED_URI, extra);
  }

  /** Remembers a topic and the queue of a group, so {@link #close()} deletes them. */
  RabbitMqTestSupport track(String topic, String... groups) {
    exchanges.add(topic);
    for (String group : groups) {
      trackQueue(group + "-" + topic);
    }
    return this;
  }

  RabbitMqTestSupport trackQueue(String queue) {
    queues.add(queue);
    queues.add(QueueLayout.deadLetterQueue(queue));
    exchanges.add(QueueLayout.deadLetterExchange(queue));
    return this;
  }

  boolean queueExists(String queue) {
    return probe(ch -> ch.queueDeclarePassive(queue));
  }

  boolean exchangeExists(String exchange) {
    return probe(ch -> ch.exchangeDeclarePassive(exchange));
  }

  /** True when declaring the exchange with this type is accepted, i.e. it has that type. */
  boolean exchangeHasType(String exchange, String type) {
    return probe(ch -> ch.exchangeDeclare(exchange, type, true, false, null));
  }

  long messageCount(String queue) {
    try (Channel ch = connection.createChannel()) {
      return ch.queueDeclarePassive(queue).getMessageCount();
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Takes one message off a queue (acking it), or null. */
  byte @Nullable [] take(String queue) {
    try (Channel ch = connection.createChannel()) {
      GetResponse r = ch.basicGet(queue, true);
      return r == null ? null : r.getBody();
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Declares a durable queue the way another client might, e.g. Dapr with other options. */
  void declareQueue(String queue, Map<String, Object> arguments) {
    Map<String, Object> args = new HashMap<>(arguments);
    args.put("x-queue-type", "classic");
    if (!probe(ch -> ch.queueDeclare(queue, true, false, false, args))) {
      throw new IllegalStateException("could not declare queue " + queue);
    }
  }

  void deleteQueue(String queue) {
    probe(ch -> ch.queueDelete(queue));
  }

  void deleteExchange(String exchange) {
    probe(ch -> ch.exchangeDelete(exchange));
  }

  private interface Probe {
    void run(Channel ch) throws IOException;
  }

  private boolean probe(Probe probe) {
    try {
      Channel ch = connection.createChannel();
      try {
        probe.run(ch);
        return true;
      } finally {
        if (ch.isOpen()) {
          ch.close();
        }
      }
    } catch (IOException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      for (String queue : queues) {
        try (Channel ch = connection.createChannel()) {
          ch.queueDelete(queue);
        } catch (IOException | TimeoutException | RuntimeException e) {
          // best effort: the next name is independent
        }
      }
      for (String exchange : exchanges) {
        try (Channel ch = connection.createChannel()) {
          ch.exchangeDelete(exchange);
        } catch (IOException | TimeoutException | RuntimeException e) {
          // best effort
        }
      }
    } finally {
      try {
        connection.close();
      } catch (IOException e) {
        // gone
      }
    }
  }
}
