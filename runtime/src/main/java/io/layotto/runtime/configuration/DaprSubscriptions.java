package io.layotto.runtime.configuration;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dapr's {@code SubscribeConfiguration} (a server stream whose first message carries the
 * subscription id and no items) and {@code UnsubscribeConfiguration} (ends the stream with that id).
 * The store subscription is live before the first message leaves, so a client that changes an
 * item after receiving the id is told about it; changes that come in between wait for the first
 * message. The stream also ends when the client cancels it.
 */
public final class DaprSubscriptions {

  private static final Logger log = LoggerFactory.getLogger(DaprSubscriptions.class);

  private final ConfigurationApi api;
  private final Map<String, Active> active = new ConcurrentHashMap<>();

  public DaprSubscriptions(ConfigurationApi api) {
    this.api = api;
  }

  /** One open stream. Sends are serialised; after {@link #end} nothing more goes out. */
  private static final class Active {
    private final String storeName;
    private final StreamObserver<?> observer;
    private @Nullable ConfigurationSubscription subscription;
    /** Changes that came before the first message went out; null once it has. */
    private @Nullable List<Object> early = new ArrayList<>();
    private boolean ended;

    Active(String storeName, StreamObserver<?> observer) {
      this.storeName = storeName;
      this.observer = observer;
    }

    synchronized <R> void send(R message) {
      if (ended) {
        return;
      }
      List<Object> waiting = early;
      if (waiting != null) {
        waiting.add(message);
        return;
      }
      deliver(message);
    }

    /** Sends the first message, then the changes that waited for it. */
    synchronized <R> void sendFirst(R first) {
      List<Object> waiting = early;
      early = null;
      if (ended) {
        return;
      }
      deliver(first);
      if (waiting != null) {
        waiting.forEach(this::deliver);
      }
    }

    @SuppressWarnings("unchecked")
    private <R> void deliver(R message) {
      try {
        ((StreamObserver<R>) observer).onNext(message);
      } catch (RuntimeException e) {
        log.debug("sending a configuration message failed", e);
      }
    }

    /** @return false when the stream had already ended */
    synchronized boolean attach(ConfigurationSubscription s) {
      if (ended) {
        return false;
      }
      subscription = s;
      return true;
    }

    void end(@Nullable StatusRuntimeException status, boolean complete) {
      ConfigurationSubscription s;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        s = subscription;
        try {
          if (status != null) {
            observer.onError(status);
          } else if (complete) {
            observer.onCompleted();
          }
        } catch (RuntimeException e) {
          log.debug("closing a configuration stream failed", e);
        }
      }
      if (s != null) {
        s.close();
      }
    }
  }

  /**
   * Validates, subscribes, then sends the first message with a new id.
   *
   * @param initial the first message for an id
   * @param changed the message of one changed item for an id
   */
  public <R> void open(ConfigurationApi.Selection selection, StreamObserver<R> observer, Function<String, R> initial,
      BiFunction<String, ConfigurationItem, R> changed) {
    ConfigurationApi.Resolved resolved;
    try {
      resolved = api.resolve(selection, false);
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    String id = UUID.randomUUID().toString();
    Active stream = new Active(resolved.target().storeName(), observer);
    active.put(id, stream);
    if (observer instanceof ServerCallStreamObserver<R> call) {
      call.setOnCancelHandler(() -> {
        Active gone = active.remove(id);
        if (gone != null) {
          gone.end(null, false);
        }
      });
    }
    ConfigurationSubscription subscription;
    try {
      subscription = api.subscribe(resolved, item -> stream.send(changed.apply(id, item)));
    } catch (StatusRuntimeException e) {
      active.remove(id);
      stream.end(e, false);
      return;
    }
    if (!stream.attach(subscription)) {
      subscription.close();
      return;
    }
    stream.sendFirst(initial.apply(id));
  }

  /**
   * Ends the stream of subscription {@code id}.
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT for an empty id or another store's subscription,
   *     NOT_FOUND for an unknown (or already ended) id
   */
  public void close(String storeName, String id) {
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("id is empty; pass the id of the first SubscribeConfiguration message");
    }
    Active stream = active.get(id);
    if (stream == null) {
      throw ApiErrors.notFound("configuration subscription '" + id + "' (id) is not found; it never existed or "
          + "has ended already");
    }
    if (!storeName.isEmpty() && !storeName.equals(stream.storeName)) {
      throw ApiErrors.invalidArgument("configuration subscription '" + id + "' belongs to configuration store '"
          + stream.storeName + "', not '" + storeName + "' (store_name)");
    }
    if (active.remove(id, stream)) {
      stream.end(null, true);
    }
  }

  /** Open subscriptions, for tests and metrics. */
  public int size() {
    return active.size();
  }
}
