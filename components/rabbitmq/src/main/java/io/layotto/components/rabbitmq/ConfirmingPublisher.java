package io.layotto.components.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Publishes on one channel in confirm mode, shared by all publishing threads. A channel is not
 * thread-safe, so sequence number and frame are taken under a lock; the waiting for the broker's
 * confirm happens outside it, keyed by sequence number, so concurrent publishers pipeline instead of
 * queuing behind each other's round trips.
 *
 * <p>When the channel shuts down (connection lost, or the broker closed it for a bad publish) every
 * outstanding publish fails at once: the broker will never confirm it. amqp-client brings the
 * channel back with the connection; a channel the broker closed on its own is replaced at the next
 * publish.
 */
final class ConfirmingPublisher implements AutoCloseable {

  /** One publish: where it goes and what it carries. */
  record Outgoing(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {}

  /** The broker answered basic.nack: it could not take the message (e.g. an internal error). */
  static final class RejectedByBroker extends IOException {
    RejectedByBroker() {
      super("the broker rejected the message (basic.nack)");
    }
  }

  private final Connection connection;
  private final boolean confirms;
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable Channel channel;
  /** Replaced when the channel shuts down; confirms of the new channel restart at 1. */
  private volatile ConcurrentSkipListMap<Long, CompletableFuture<Void>> outstanding = new ConcurrentSkipListMap<>();
  private volatile boolean brokenByBroker;
  private volatile boolean closed;

  ConfirmingPublisher(Connection connection, boolean confirms) {
    this.connection = connection;
    this.confirms = confirms;
  }

  /**
   * Sends the messages back to back and returns one future per message, completed by the broker's
   * confirm (or at once without confirms).
   *
   * @throws IOException or {@link ShutdownSignalException} when a frame could not be sent
   */
  List<CompletableFuture<Void>> send(List<Outgoing> messages) throws IOException {
    List<CompletableFuture<Void>> futures = new ArrayList<>(messages.size());
    lock.lock();
    try {
      Channel ch = channel();
      ConcurrentSkipListMap<Long, CompletableFuture<Void>> pending = outstanding;
      for (Outgoing m : messages) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        long seq = ch.getNextPublishSeqNo();
        if (confirms) {
          pending.put(seq, future);
        }
        try {
          ch.basicPublish(m.exchange(), m.routingKey(), false, m.properties(), m.body());
        } catch (IOException | RuntimeException e) {
          pending.remove(seq);
          futures.forEach(f -> f.completeExceptionally(e));
          throw e;
        }
        if (!confirms) {
          future.complete(null);
        }
        futures.add(future);
      }
      if (confirms && pending != outstanding) {
        // The channel shut down while we were sending: nobody will confirm these.
        ShutdownSignalException reason = ch.getCloseReason();
        IOException failure = new IOException("the channel closed while publishing", reason);
        futures.forEach(f -> f.completeExceptionally(failure));
      }
      return futures;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a publish that timed out, so a late confirm finds nothing. */
  void abandon(CompletableFuture<Void> future) {
    outstanding.values().remove(future);
    future.completeExceptionally(new TimeoutException("no confirm"));
  }

  private Channel channel() throws IOException {
    Channel ch = channel;
    if (ch != null && (ch.isOpen() || !brokenByBroker)) {
      // Open, or closed with its connection and about to be recovered: publishing fails until then.
      return ch;
    }
    if (closed) {
      throw new IOException("the component is closed");
    }
    Channel fresh = connection.createChannel();
    if (fresh == null) {
      throw new IOException("the broker has no channel left for this connection");
    }
    if (confirms) {
      fresh.confirmSelect();
      fresh.addConfirmListener(new Confirms());
    }
    fresh.addShutdownListener(this::failOutstanding);
    brokenByBroker = false;
    channel = fresh;
    return fresh;
  }

  private void failOutstanding(ShutdownSignalException cause) {
    if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
      brokenByBroker = true;
    }
    ConcurrentSkipListMap<Long, CompletableFuture<Void>> old = outstanding;
    outstanding = new ConcurrentSkipListMap<>();
    IOException failure = new IOException("the channel closed before the broker confirmed", cause);
    for (CompletableFuture<Void> f : old.values()) {
      f.completeExceptionally(failure);
    }
    old.clear();
  }

  private final class Confirms implements ConfirmListener {
    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
      settle(deliveryTag, multiple, null);
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
      settle(deliveryTag, multiple, new RejectedByBroker());
    }

    private void settle(long tag, boolean multiple, @Nullable IOException failure) {
      ConcurrentSkipListMap<Long, CompletableFuture<Void>> pending = outstanding;
      ConcurrentNavigableMap<Long, CompletableFuture<Void>> settled =
          multiple ? pending.headMap(tag, true) : pending.subMap(tag, true, tag, true);
      for (Map.Entry<Long, CompletableFuture<Void>> e : settled.entrySet()) {
        if (failure == null) {
          e.getValue().complete(null);
        } else {
          e.getValue().completeExceptionally(failure);
        }
      }
      settled.clear();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      Channel ch = channel;
      channel = null;
      if (ch != null && ch.isOpen()) {
        try {
          ch.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
          // The connection is going away as well.
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
