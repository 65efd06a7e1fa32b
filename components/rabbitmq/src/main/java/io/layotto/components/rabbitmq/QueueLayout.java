package io.layotto.components.rabbitmq;

import com.rabbitmq.client.Channel;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.SubscribeRequest;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where one subscription's messages live, named as Dapr names them so both runtimes can share a
 * broker: the exchange is the topic, the queue is {@code <consumerGroup>-<topic>} (or the
 * subscription's {@code queueName}), the optional dead-letter pair is {@code dlx-<queue>} /
 * {@code dlq-<queue>}.
 *
 * <p>Subscription metadata understood (Dapr's keys): {@code queueName}, {@code routingKey}
 * (comma-separated binding keys for a topic exchange; empty binds the empty key), {@code queueType}
 * ({@code classic} or {@code quorum}), {@code maxLen}, {@code maxLenBytes}, {@code singleActiveConsumer},
 * and this component's {@code enableDeadLetter} and {@code requeueInFailure} to override the
 * component-wide values for one subscription.
 *
 * @param prefetch the channel's basic.qos: maxInFlight, capped by the component's prefetchCount
 */
record QueueLayout(String topic, String queue, List<String> bindingKeys, boolean deadLetter,
    boolean requeueInFailure, String queueType, Map<String, Object> queueArguments, int prefetch) {

  static final String QUEUE_NAME = "queueName";
  static final String ROUTING_KEY = "routingKey";
  static final String QUEUE_TYPE = "queueType";
  static final String SINGLE_ACTIVE_CONSUMER = "singleActiveConsumer";

  QueueLayout {
    bindingKeys = List.copyOf(bindingKeys);
    queueArguments = Map.copyOf(queueArguments);
  }

  static QueueLayout of(SubscribeRequest request, RabbitMqSettings settings) {
    Map<String, String> m = request.metadata();
    String topic = request.topic();
    String queue = text(m, QUEUE_NAME);
    if (queue == null) {
      queue = request.consumerGroup() + "-" + topic;
    }
    String keys = m.get(ROUTING_KEY);
    List<String> bindingKeys = keys == null ? List.of("") : Arrays.stream(keys.split(",", -1)).map(String::trim).toList();
    boolean deadLetter = bool(request, RabbitMqSettings.ENABLE_DEAD_LETTER, settings.enableDeadLetter());
    boolean requeue = bool(request, RabbitMqSettings.REQUEUE_IN_FAILURE, settings.requeueInFailure());
    if (!requeue && !deadLetter) {
      throw ComponentException.invalidArgument("subscription to topic '" + topic + "' has requeueInFailure=false "
          + "without enableDeadLetter=true: failed messages would be lost; enable the dead-letter queue or requeue");
    }
    String queueType = text(m, QUEUE_TYPE);
    queueType = queueType == null ? "classic" : queueType.toLowerCase(Locale.ROOT);
    if (!queueType.equals("classic") && !queueType.equals("quorum")) {
      throw invalid(topic, QUEUE_TYPE, queueType, "classic or quorum");
    }
    if (queueType.equals("quorum") && (!settings.durable() || settings.deletedWhenUnused())) {
      throw invalid(topic, QUEUE_TYPE, queueType,
          "classic: quorum queues must be durable and not deletedWhenUnused, as the component declares them");
    }
    Map<String, Object> args = new HashMap<>();
    // Dapr names the queue type explicitly; declaring the same arguments keeps the queue shareable.
    args.put("x-queue-type", queueType);
    if (deadLetter) {
      args.put("x-dead-letter-exchange", deadLetterExchange(queue));
    }
    long maxLen = positiveLong(request, RabbitMqSettings.MAX_LEN, settings.maxLen());
    if (maxLen > 0) {
      args.put("x-max-length", maxLen);
    }
    long maxLenBytes = positiveLong(request, RabbitMqSettings.MAX_LEN_BYTES, settings.maxLenBytes());
    if (maxLenBytes > 0) {
      args.put("x-max-length-bytes", maxLenBytes);
    }
    if (bool(request, SINGLE_ACTIVE_CONSUMER, false)) {
      args.put("x-single-active-consumer", true);
    }
    int prefetch = Math.min(request.maxInFlight(), RabbitMqSettings.MAX_PREFETCH);
    if (settings.prefetchCount() > 0) {
      prefetch = Math.min(prefetch, settings.prefetchCount());
    }
    return new QueueLayout(topic, queue, bindingKeys, deadLetter, requeue, queueType, args, prefetch);
  }

  static String deadLetterExchange(String queue) {
    return "dlx-" + queue;
  }

  static String deadLetterQueue(String queue) {
    return "dlq-" + queue;
  }

  /** Declares the topic's exchange, the dead-letter pair if asked, the queue and its bindings. */
  void declare(Channel channel, RabbitMqSettings settings) throws IOException {
    declareExchange(channel, topic, settings);
    if (deadLetter) {
      String dlx = deadLetterExchange(queue);
      // Dapr's dead-letter exchange and queue are always durable, whatever `durable` says.
      channel.exchangeDeclare(dlx, "fanout", true, settings.deletedWhenUnused(), null);
      Map<String, Object> dlqArgs = new HashMap<>();
      if (queueArguments.get("x-max-length") instanceof Long max) {
        dlqArgs.put("x-max-length", max);
      }
      if (queueArguments.get("x-max-length-bytes") instanceof Long max) {
        dlqArgs.put("x-max-length-bytes", max);
      }
      dlqArgs.put("x-queue-mode", "lazy");
      channel.queueDeclare(deadLetterQueue(queue), true, false, settings.deletedWhenUnused(), dlqArgs);
      channel.queueBind(deadLetterQueue(queue), dlx, "");
    }
    channel.queueDeclare(queue, settings.durable(), false, settings.deletedWhenUnused(), queueArguments);
    for (String key : bindingKeys) {
      channel.queueBind(queue, topic, key);
    }
  }

  static void declareExchange(Channel channel, String topic, RabbitMqSettings settings) throws IOException {
    channel.exchangeDeclare(topic, settings.exchangeKind().amqpName(), settings.durable(),
        settings.deletedWhenUnused(), null);
  }

  private static @Nullable String text(Map<String, String> m, String key) {
    String v = m.get(key);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean bool(SubscribeRequest request, String key, boolean fallback) {
    String v = text(request.metadata(), key);
    if (v == null) {
      return fallback;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw invalid(request.topic(), key, v, "true or false");
    };
  }

  private static long positiveLong(SubscribeRequest request, String key, long fallback) {
    String v = text(request.metadata(), key);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(request.topic(), key, v, "a whole number, 0 or more");
  }

  private static ComponentException invalid(String topic, String key, String value, String expected) {
    return ComponentException.invalidArgument("subscription metadata '" + key + "' for topic '" + topic + "' is '"
        + value + "', expected " + expected);
  }
}
