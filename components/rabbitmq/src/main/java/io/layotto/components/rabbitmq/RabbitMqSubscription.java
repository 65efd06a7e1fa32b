package io.layotto.components.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.Subscription;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: its own channel (channels are not thread-safe and basic.qos is per channel),
 * prefetch = maxInFlight, manual acks.
 *
 * <p>A message is acked when the handler's stage completes normally and handed back to the queue
 * (basic.nack with requeue) after a short delay when it completes exceptionally; with
 * {@code requeueInFailure=false} it is nacked without requeue and so moves to the dead-letter queue.
 * Closing the channel gives every unacked message back to the broker, which redelivers it to
 * another consumer of the group.
 *
 * <p>After amqp-client recovers the connection and this channel, the subscription declares its
 * topology again and resumes consuming. When the broker cancels the consumer (queue deleted) or
 * closes the channel over an error, it starts over on a fresh channel after {@code reconnectWait}.
 */
final class RabbitMqSubscription implements Subscription {

  private static final Logger log = LoggerFactory.getLogger(RabbitMqSubscription.class);

  private final Connection connection;
  private final RabbitMqSettings settings;
  private final QueueLayout layout;
  private final MessageHandler handler;
  private final ScheduledExecutorService scheduler;
  private final String componentName;
  private final String consumerTag;
  /** Serializes consuming, acking and closing on the channel. */
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean restartPending = new AtomicBoolean();
  private @Nullable Channel channel;

  RabbitMqSubscription(Connection connection, RabbitMqSettings settings, QueueLayout layout, MessageHandler handler,
      ScheduledExecutorService scheduler, String componentName) {
    this.connection = connection;
    this.settings = settings;
    this.layout = layout;
    this.handler = handler;
    this.scheduler = scheduler;
    this.componentName = componentName;
    // Unique per subscription: amqp-client tracks consumers by tag across the whole connection.
    this.consumerTag = layout.queue() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Declares the topology and starts consuming; returns once the broker confirmed the consumer. */
  void start() throws IOException {
    lock.lock();
    try {
      Channel ch = channel;
      if (ch == null || !ch.isOpen()) {
        if (ch != null && connection.isOpen()) {
          // The broker closed the old channel over an error; without this amqp-client would
          // reopen it at the next connection recovery.
          closeQuietly(ch);
        }
        ch = openChannel();
      }
      try {
        ch.basicQos(layout.prefetch());
        layout.declare(ch, settings);
        ch.basicConsume(layout.queue(), false, consumerTag, new Deliveries(ch));
      } catch (IOException | RuntimeException e) {
        closeQuietly(ch);
        channel = null;
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  private Channel openChannel() throws IOException {
    Channel ch = connection.createChannel();
    if (ch == null) {
      throw new IOException("the broker has no channel left for this connection");
    }
    if (ch instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(new RecoveryListener() {
        @Override
        public void handleRecovery(Recoverable recovered) {
          // amqp-client reopened the channel with the connection: queues may be gone if the broker
          // restarted, so declare them again and consume again.
          scheduleRestart(0);
        }

        @Override
        public void handleRecoveryStarted(Recoverable recovering) {}
      });
    }
    channel = ch;
    return ch;
  }

  private void scheduleRestart(long delayMillis) {
    if (closed.get() || !restartPending.compareAndSet(false, true)) {
      return;
    }
    scheduler.schedule(() -> Thread.startVirtualThread(this::restart), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void restart() {
    restartPending.set(false);
    if (closed.get()) {
      return;
    }
    try {
      // Every trigger leaves the channel without our consumer: a recovered channel starts empty
      // (consumer recovery is off), a cancelled consumer is gone, a closed channel is replaced.
      start();
      log.info("component '{}' resumed consuming queue '{}' of topic '{}'", componentName, layout.queue(),
          layout.topic());
    } catch (IOException | RuntimeException e) {
      if (closed.get()) {
        return;
      }
      if (connection.isOpen()) {
        log.warn("component '{}' could not resume consuming queue '{}': {}; retrying in {}", componentName,
            layout.queue(), RabbitMqFailures.rootMessage(e), settings.reconnectWait().toMillis() + " ms");
        scheduleRestart(settings.reconnectWait().toMillis());
      }
      // Otherwise the connection is down: its recovery calls handleRecovery, which restarts us.
    }
  }

  private void ack(Channel ch, long deliveryTag) {
    lock.lock();
    try {
      if (ch.isOpen()) {
        ch.basicAck(deliveryTag, false);
      }
    } catch (IOException | RuntimeException e) {
      // The channel closed: the broker requeued the message and delivers it again.
      log.debug("component '{}' could not ack a message of queue '{}': {}", componentName, layout.queue(),
          e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  private void nack(Channel ch, long deliveryTag) {
    lock.lock();
    try {
      if (ch.isOpen()) {
        ch.basicNack(deliveryTag, false, layout.requeueInFailure());
      }
    } catch (IOException | RuntimeException e) {
      log.debug("component '{}' could not nack a message of queue '{}': {}", componentName, layout.queue(),
          e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  private void failed(Channel ch, long deliveryTag) {
    long delay = settings.requeueDelay().toMillis();
    if (delay <= 0 || !layout.requeueInFailure()) {
      nack(ch, deliveryTag);
    } else {
      // Holding the message a moment keeps a failing app from being flooded; it still counts
      // against the prefetch, so nothing else is fetched meanwhile.
      scheduler.schedule(() -> nack(ch, deliveryTag), delay, TimeUnit.MILLISECONDS);
    }
  }

  /** Receives the deliveries of one channel; acks go back on that same channel. */
  private final class Deliveries extends DefaultConsumer {
    private final Channel ch;

    Deliveries(Channel ch) {
      super(ch);
      this.ch = ch;
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      long deliveryTag = envelope.getDeliveryTag();
      Message message = new Message(layout.topic(), body, metadataOf(envelope, properties));
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
          ack(ch, deliveryTag);
        } else {
          failed(ch, deliveryTag);
        }
      });
    }

    @Override
    public void handleCancel(String tag) {
      // The broker cancelled us, e.g. the queue was deleted: declare it again and consume again.
      log.warn("component '{}': the broker cancelled the consumer of queue '{}'; subscribing again in {}",
          componentName, layout.queue(), settings.reconnectWait().toMillis() + " ms");
      scheduleRestart(settings.reconnectWait().toMillis());
    }

    @Override
    public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
      if (!signal.isHardError() && !signal.isInitiatedByApplication() && !closed.get()) {
        // The broker closed this channel over an error; it is not recovered, so open a new one.
        log.warn("component '{}': the broker closed the channel of queue '{}': {}; subscribing again in {}",
            componentName, layout.queue(), RabbitMqFailures.reason(signal), settings.reconnectWait().toMillis() + " ms");
        scheduleRestart(settings.reconnectWait().toMillis());
      }
    }
  }

  /** Broker facts about the delivery, with Dapr's lower-case names for the AMQP properties. */
  private static Map<String, String> metadataOf(Envelope envelope, AMQP.BasicProperties p) {
    Map<String, String> m = new HashMap<>();
    if (p.getHeaders() != null) {
      p.getHeaders().forEach((k, v) -> {
        if (v instanceof LongString || v instanceof String || v instanceof Number || v instanceof Boolean) {
          m.put(k, v.toString());
        }
      });
    }
    m.put("redelivered", String.valueOf(envelope.isRedeliver()));
    if (!envelope.getRoutingKey().isEmpty()) {
      m.put("routingkey", envelope.getRoutingKey());
    }
    if (p.getMessageId() != null) {
      m.put("messageid", p.getMessageId());
    }
    if (p.getCorrelationId() != null) {
      m.put("correlationid", p.getCorrelationId());
    }
    if (p.getType() != null) {
      m.put("type", p.getType());
    }
    if (p.getContentType() != null) {
      m.put("contenttype", p.getContentType());
    }
    return m;
  }

  /** The queue this subscription consumes. */
  String queue() {
    return layout.queue();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lock.lock();
    try {
      Channel ch = channel;
      channel = null;
      if (ch != null) {
        try {
          if (ch.isOpen()) {
            ch.basicCancel(consumerTag);
          }
        } catch (IOException | RuntimeException e) {
          // Closing the channel cancels the consumer as well.
        }
        closeQuietly(ch);
      }
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(Channel ch) {
    try {
      // Also on a channel that is already shut: it stops amqp-client from recovering it.
      ch.close();
    } catch (IOException | TimeoutException | RuntimeException e) {
      // Unacked messages return to the queue when the broker sees the channel or connection go.
    }
  }

  static ComponentException startFailure(Throwable failure, RabbitMqSettings settings, QueueLayout layout) {
    return RabbitMqFailures.translate(failure, settings.address(),
        "subscription to topic '" + layout.topic() + "' (queue '" + layout.queue() + "')");
  }
}
