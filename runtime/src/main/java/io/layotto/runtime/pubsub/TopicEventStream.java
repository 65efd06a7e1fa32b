package io.layotto.runtime.pubsub;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.pubsub.delivery.AppAnswer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming subscription ({@code SubscribeTopicEvents} of Layotto, {@code SubscribeTopicEventsAlpha1}
 * of Dapr): the first client message subscribes, then each event goes out as an event message and
 * waits for the client's processed message with the same id. When the stream ends, the events not
 * yet answered stay unacked and the broker delivers them again (e.g. to the next stream). At shutdown
 * the sidecar ends the stream with UNAVAILABLE ("sidecar shutting down; resubscribe").
 *
 * <p>The client's messages may arrive on the network event loop (the rpcs are among
 * {@link io.layotto.runtime.grpc.ApiServices#EVENT_LOOP_METHODS}), so whatever may block runs on
 * the {@code blocking} executor: subscribing, unsubscribing when the stream ends, and settling an
 * answer unless the subscription settles without blocking
 * ({@link SubscriptionManager.Handle#settlesWithoutBlocking()}). An event_processed of a
 * non-blocking component is thus settled (policy, then the broker ack) on the loop it arrived on,
 * without a thread hand-off per event.
 *
 * @param <Q> the client's message type
 * @param <R> the server's message type
 */
public final class TopicEventStream<Q, R> implements StreamObserver<Q> {

  private static final Logger log = LoggerFactory.getLogger(TopicEventStream.class);

  /** How one API's messages look. */
  public interface Protocol<Q, R> {
    /** The subscription a client message asks for, or null when it is not an initial request. */
    SubscriptionManager.@Nullable Spec initialRequest(Q message);

    /** The answered event id, or null when the message is not an event_processed. */
    @Nullable String processedId(Q message);

    /** The answer of an event_processed (unknown or missing status numbers are RETRY). */
    AppAnswer processedAnswer(Q message);

    R initialResponse();

    R eventMessage(TopicEvent event);

    /** The rpc name for messages. */
    String rpc();
  }

  private final Protocol<Q, R> protocol;
  private final SubscriptionManager manager;
  private final StreamObserver<R> responses;
  private final Executor blocking;
  private final Map<String, Deque<CompletableFuture<AppAnswer>>> pending = new HashMap<>();
  /** Completed once the initial response went out; fails when the stream ends before. */
  private final CompletableFuture<Void> initialSent = new CompletableFuture<>();
  private volatile SubscriptionManager.@Nullable Handle subscription;
  private SubscriptionManager.@Nullable Spec initialSpec;
  private boolean ended;

  /** @param blocking where work that may block runs (see the class comment) */
  public TopicEventStream(Protocol<Q, R> protocol, SubscriptionManager manager, StreamObserver<R> responses,
      Executor blocking) {
    this.protocol = protocol;
    this.manager = manager;
    this.responses = responses;
    this.blocking = blocking;
    manager.opened(this);
  }

  /** Ends the stream from the sidecar's side (shutdown), with {@code status} for the client. */
  void shutdown(StatusRuntimeException status) {
    end(status);
  }

  @Override
  public void onNext(Q message) {
    SubscriptionManager.Spec initial = protocol.initialRequest(message);
    if (initial != null) {
      synchronized (this) {
        if (ended) {
          return;
        }
        SubscriptionManager.Spec first = initialSpec;
        if (first != null) {
          fail(ApiErrors.invalidArgument(protocol.rpc() + ": duplicate initial request received; this stream is "
              + "already subscribed to topic " + first.topic() + " in pubsub " + first.pubsubName()
              + " (open another stream for another topic)"));
          return;
        }
        initialSpec = initial;
      }
      offload(() -> subscribe(initial));
      return;
    }
    String id = protocol.processedId(message);
    synchronized (this) {
      if (ended) {
        return;
      }
      if (initialSpec == null) {
        fail(ApiErrors.invalidArgument(protocol.rpc() + ": initial request is required as the first message"));
        return;
      }
      if (id == null) {
        fail(ApiErrors.invalidArgument(protocol.rpc() + ": a message carries neither initial_request nor "
            + "event_processed"));
        return;
      }
    }
    CompletableFuture<AppAnswer> waiting = null;
    synchronized (this) {
      Deque<CompletableFuture<AppAnswer>> queue = pending.get(id);
      if (queue != null) {
        waiting = queue.poll();
        if (queue.isEmpty()) {
          pending.remove(id);
        }
      }
    }
    if (waiting == null) {
      log.debug("{}: event_processed for unknown or already answered event id '{}' ignored", protocol.rpc(), id);
      return;
    }
    AppAnswer answer = protocol.processedAnswer(message);
    SubscriptionManager.Handle handle = subscription;
    if (handle != null && handle.settlesWithoutBlocking()) {
      waiting.complete(answer);
    } else {
      CompletableFuture<AppAnswer> settled = waiting;
      offload(() -> settled.complete(answer));
    }
  }

  /** Runs {@code task} on the blocking executor; when it refuses (shutting down), here. */
  private void offload(Runnable task) {
    try {
      blocking.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /**
   * Subscribes on the component first and only then sends the initial response, so an event published
   * once the client saw the initial response is never missed; events the component hands out before
   * the initial response went out wait for it ({@link #initialSent}).
   */
  private void subscribe(SubscriptionManager.Spec spec) {
    SubscriptionManager.Handle handle;
    try {
      handle = manager.subscribe(spec, this::deliver);
    } catch (StatusRuntimeException e) {
      fail(e);
      return;
    } catch (RuntimeException e) {
      fail(ApiErrors.toStatus(e, protocol.rpc()));
      return;
    }
    boolean live;
    synchronized (this) {
      live = !ended;
      if (live) {
        subscription = handle;
        try {
          responses.onNext(protocol.initialResponse());
        } catch (RuntimeException e) {
          log.debug("{}: sending the initial response failed", protocol.rpc(), e);
        }
      }
    }
    if (live) {
      initialSent.complete(null);
    } else {
      handle.close();
    }
  }

  private CompletionStage<AppAnswer> deliver(TopicEvent event) {
    if (initialSent.isDone() && !initialSent.isCompletedExceptionally()) {
      return send(event); // the usual case, without two more futures per event
    }
    return initialSent.thenCompose(ignored -> send(event));
  }

  private CompletionStage<AppAnswer> send(TopicEvent event) {
    CompletableFuture<AppAnswer> answer = new CompletableFuture<>();
    synchronized (this) {
      if (ended) {
        answer.completeExceptionally(new IllegalStateException("stream ended"));
        return answer;
      }
      pending.computeIfAbsent(event.id(), k -> new ArrayDeque<>()).add(answer);
      try {
        responses.onNext(protocol.eventMessage(event));
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
      }
    }
    return answer;
  }

  @Override
  public void onError(Throwable t) {
    offload(() -> end(null));
  }

  @Override
  public void onCompleted() {
    offload(() -> end(Status.OK.asRuntimeException()));
  }

  private void fail(StatusRuntimeException status) {
    offload(() -> end(status));
  }

  /** Ends the stream once: unsubscribes, fails unanswered events (they are redelivered), closes the call. */
  private void end(@Nullable StatusRuntimeException close) {
    SubscriptionManager.Handle handle;
    List<CompletableFuture<AppAnswer>> unanswered = new ArrayList<>();
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      handle = subscription;
      pending.values().forEach(unanswered::addAll);
      pending.clear();
      if (close != null) {
        try {
          if (close.getStatus().isOk()) {
            responses.onCompleted();
          } else {
            responses.onError(close);
          }
        } catch (RuntimeException e) {
          log.debug("{}: closing the stream failed", protocol.rpc(), e);
        }
      }
    }
    manager.ended(this);
    initialSent.completeExceptionally(new IllegalStateException("stream ended before it was subscribed"));
    if (handle != null) {
      handle.close();
    }
    IllegalStateException ended = new IllegalStateException("stream ended before the event was answered");
    unanswered.forEach(f -> f.completeExceptionally(ended));
  }
}
