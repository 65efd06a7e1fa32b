package io.layotto.components.redis;

import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.resource.ClientResources;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Logs when a component loses its Redis connection and when it gets it back, once each, so an
 * operator sees outages without reading Lettuce's per-attempt reconnect messages. A component
 * with several connections (pub/sub: one per subscription) logs one outage for all of them.
 */
final class ConnectionLog {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLog.class);

  private final String component;
  private final String address;
  private final AtomicBoolean following = new AtomicBoolean();
  /** Connections of this component that are reconnecting; the outage lasts while any is. */
  private final AtomicInteger reconnecting = new AtomicInteger();
  private final Disposable subscription;

  private ConnectionLog(String component, String address, ClientResources resources) {
    this.component = component;
    this.address = address;
    this.subscription = resources.eventBus().get().subscribe(event -> {
      if (!following.get()) {
        return;
      }
      // The first reconnect attempt of a connection, not its deactivation, marks an outage:
      // connections closed on purpose (a subscription's own one) deactivate too but never reconnect.
      if (event instanceof ReconnectAttemptEvent attempt && attempt.getAttempt() == 1
          && reconnecting.getAndIncrement() == 0) {
        log.warn("component '{}' lost its connection to redis at {}; calls fail as unavailable while it reconnects",
            component, address);
      } else if (event instanceof ConnectionActivatedEvent
          && reconnecting.getAndUpdate(n -> Math.max(0, n - 1)) == 1) {
        log.info("component '{}' is connected to redis at {} again", component, address);
      }
    });
  }

  /** Starts watching the events of {@code resources}; nothing is logged until {@link #connected()}. */
  static ConnectionLog follow(String component, String address, ClientResources resources) {
    return new ConnectionLog(component, address, resources);
  }

  /** The first connection is up: from now on, losing it is news. */
  void connected() {
    following.set(true);
  }

  /** Stops logging, before a deliberate close, which is not an outage. */
  void stop() {
    following.set(false);
    subscription.dispose();
  }

  @Override
  public String toString() {
    return "ConnectionLog[" + component + " -> " + address + "]";
  }
}
