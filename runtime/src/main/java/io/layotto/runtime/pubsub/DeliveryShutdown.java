package io.layotto.runtime.pubsub;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link SubscriptionManager} of one sidecar (streaming and app-callback delivery), so shutdown
 * stops them together and in order: {@link #stopIntake()} (no new message reaches the app),
 * {@link #awaitInFlight(long)} (answers to deliveries already made may still arrive and are acked),
 * {@link #stop()} (streams end with UNAVAILABLE, component subscriptions close; whatever is
 * unanswered stays unacked for the broker to redeliver). Components are closed only after that.
 */
public final class DeliveryShutdown {

  private static final Logger log = LoggerFactory.getLogger(DeliveryShutdown.class);

  private final List<SubscriptionManager> managers = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;
  private volatile boolean stopped;

  /** Called by each manager as it is made; one made during shutdown is stopped at once. */
  void register(SubscriptionManager manager) {
    managers.add(manager);
    if (stopping) {
      manager.stopIntake();
    }
    if (stopped) {
      manager.stopDelivery();
    }
  }

  /** Step 1: no new message goes to the app from now on; new subscriptions are refused. */
  public void stopIntake() {
    stopping = true;
    managers.forEach(SubscriptionManager::stopIntake);
  }

  /** True once {@link #stopIntake()} or {@link #stop()} was called. */
  public boolean stopping() {
    return stopping;
  }

  /** Deliveries handed to the app (callback calls, stream events) whose answer has not come yet. */
  public int inFlight() {
    return managers.stream().mapToInt(SubscriptionManager::inFlight).sum();
  }

  /**
   * Step 2: waits until every delivery in flight is answered, or until {@code deadlineNanos}
   * ({@link System#nanoTime()}).
   *
   * @return true when none is left in flight
   */
  public boolean awaitInFlight(long deadlineNanos) {
    for (SubscriptionManager manager : managers) {
      if (!manager.awaitInFlight(deadlineNanos)) {
        return false;
      }
    }
    return true;
  }

  /** Step 3: ends open streams and closes every subscription; idempotent, never throws. */
  public void stop() {
    stopping = true;
    stopped = true;
    for (SubscriptionManager manager : managers) {
      try {
        manager.stopIntake();
        manager.stopDelivery();
      } catch (RuntimeException e) {
        log.warn("stopping pub/sub delivery failed", e);
      }
    }
  }
}
