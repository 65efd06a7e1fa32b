package io.layotto.runtime.pubsub;

import io.layotto.runtime.component.LoadedComponents;

/** What the gRPC APIs need for pub/sub: publishing and streaming subscriptions. */
public record PubSubServices(PubSubApi publisher, SubscriptionManager subscriptions) {

  /** Both over the given components, with the system clock. */
  public static PubSubServices over(LoadedComponents components) {
    CloudEvents cloudEvents = new CloudEvents();
    return new PubSubServices(new PubSubApi(components, cloudEvents), new SubscriptionManager(components, cloudEvents));
  }
}
