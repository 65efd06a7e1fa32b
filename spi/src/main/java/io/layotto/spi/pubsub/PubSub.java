package io.layotto.spi.pubsub;

import io.layotto.spi.Component;
import java.util.List;
import java.util.Set;

/**
 * A message broker. Thread-safe. The delivery contract is in the
 * {@linkplain io.layotto.spi.pubsub package documentation}; failures are
 * {@link io.layotto.spi.ComponentException}s.
 */
public interface PubSub extends Component {

  /** The optional features this component supports; must equal its factory's capabilities. */
  Set<PubSubFeature> features();

  /** Publishes durably: returns once the broker has accepted the message. */
  void publish(PublishRequest request);

  /**
   * Publishes many messages; the default publishes one by one and stops at the first failure.
   * Components with {@link PubSubFeature#BULK_PUBLISH} do it in one round trip.
   */
  default void bulkPublish(List<PublishRequest> requests) {
    for (PublishRequest request : requests) {
      publish(request);
    }
  }

  /** Starts delivering the topic's messages to {@code handler}; returns once the subscription is live. */
  Subscription subscribe(SubscribeRequest request, MessageHandler handler);
}
