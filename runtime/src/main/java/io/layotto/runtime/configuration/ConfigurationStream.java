package io.layotto.runtime.configuration;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationSubscription;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layotto's bidirectional {@code SubscribeConfiguration}: every client message adds a subscription
 * (store, app, group, label, keys) and each change of a subscribed item goes back as one message.
 * A bad message ends the stream with its status and stops every subscription of the stream; so does
 * the client closing its side or cancelling. Only this stream's subscriptions stop (Layotto stops
 * every subscriber of the store).
 *
 * @param <Q> the client's message type
 * @param <R> the server's message type
 */
public final class ConfigurationStream<Q, R> implements StreamObserver<Q> {

  /** Most subscriptions one stream may hold. */
  public static final int MAX_SUBSCRIPTIONS = 1000;

  private static final Logger log = LoggerFactory.getLogger(ConfigurationStream.class);

  /** How one API's messages look. */
  public interface Protocol<Q, R> {
    ConfigurationApi.Selection selection(Q message);

    R changed(ConfigurationApi.Target target, ConfigurationItem item);

    String rpc();
  }

  private final Protocol<Q, R> protocol;
  private final ConfigurationApi api;
  private final StreamObserver<R> responses;
  private final List<ConfigurationSubscription> subscriptions = new ArrayList<>();
  private boolean ended;

  public ConfigurationStream(Protocol<Q, R> protocol, ConfigurationApi api, StreamObserver<R> responses) {
    this.protocol = protocol;
    this.api = api;
    this.responses = responses;
  }

  @Override
  public void onNext(Q message) {
    ConfigurationSubscription subscription;
    try {
      synchronized (this) {
        if (ended) {
          return;
        }
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
          throw Status.RESOURCE_EXHAUSTED.withDescription(protocol.rpc() + ": this stream already holds "
              + MAX_SUBSCRIPTIONS + " subscriptions; open another stream").asRuntimeException();
        }
      }
      ConfigurationApi.Resolved resolved = api.resolve(protocol.selection(message), false);
      ConfigurationApi.Target target = resolved.target();
      subscription = api.subscribe(resolved, item -> send(protocol.changed(target, item)));
    } catch (StatusRuntimeException e) {
      end(e);
      return;
    } catch (RuntimeException e) {
      end(ApiErrors.toStatus(e, protocol.rpc()));
      return;
    }
    synchronized (this) {
      if (!ended) {
        subscriptions.add(subscription);
        return;
      }
    }
    subscription.close();
  }

  private void send(R message) {
    synchronized (this) {
      if (ended) {
        return;
      }
      try {
        responses.onNext(message);
      } catch (RuntimeException e) {
        // the call is gone (cancelled); onError follows and ends the stream
        log.debug("{}: sending a change failed", protocol.rpc(), e);
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    end(null);
  }

  /** The client closed its side: Layotto ends the stream too. */
  @Override
  public void onCompleted() {
    end(Status.OK.asRuntimeException());
  }

  /** Ends once: stops the subscriptions (outside the lock: stores call listeners under their own) and closes the call. */
  private void end(@Nullable StatusRuntimeException close) {
    List<ConfigurationSubscription> stopping;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      stopping = List.copyOf(subscriptions);
      subscriptions.clear();
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
    stopping.forEach(ConfigurationStream::closeQuietly);
  }

  private static void closeQuietly(ConfigurationSubscription subscription) {
    try {
      subscription.close();
    } catch (RuntimeException e) {
      log.warn("closing a configuration subscription failed", e);
    }
  }
}
