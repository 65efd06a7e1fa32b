package io.layotto.components.mqtt;

import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Passes everything to an {@link MqttPubSub} and remembers the client ids of its subscriptions, for cleanup. */
final class RecordingPubSub implements PubSub {

  private final MqttPubSub delegate;
  private final Set<String> clientIds = ConcurrentHashMap.newKeySet();

  RecordingPubSub(MqttPubSub delegate) {
    this.delegate = delegate;
  }

  Set<String> clientIds() {
    return Set.copyOf(clientIds);
  }

  @Override
  public Set<PubSubFeature> features() {
    return delegate.features();
  }

  @Override
  public void publish(PublishRequest request) {
    delegate.publish(request);
  }

  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    delegate.bulkPublish(requests);
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    Subscription subscription = delegate.subscribe(request, handler);
    clientIds.add(((MqttSubscription) subscription).clientId());
    return subscription;
  }

  @Override
  public void init(Metadata metadata) {
    delegate.init(metadata);
  }

  @Override
  public Health checkHealth() {
    return delegate.checkHealth();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
