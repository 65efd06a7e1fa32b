package io.layotto.runtime.pubsub;

import io.layotto.runtime.component.LoadedComponents;
import java.util.concurrent.Executor;

/** What the gRPC APIs need for pub/sub: publishing and streaming subscriptions. */
public record PubSubServices(PubSubApi publisher, SubscriptionManager subscriptions) {

  /** Both over the given components, for callers that may block: components are called in place. */
  public static PubSubServices over(LoadedComponents components) {
    return over(components, Runnable::run);
  }

  /** @param blocking where {@link PubSubApi#publishLater} calls components that may block */
  public static PubSubServices over(LoadedComponents components, Executor blocking) {
    CloudEvents cloudEvents = new CloudEvents();
    return new PubSubServices(new PubSubApi(components, cloudEvents, blocking),
        new SubscriptionManager(components, cloudEvents));
  }
}
