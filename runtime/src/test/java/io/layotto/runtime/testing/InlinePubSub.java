package io.layotto.runtime.testing;

import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Type {@code test-inline}: a non-blocking broker (so the runtime publishes from inside the
 * PublishEvent call) that delivers each message to the topic's handlers on the thread that
 * publishes it, before {@code publishAsync} returns, and delivers nothing again. Each
 * handler's outcome ({@code "acked"} or the failure) is queued in {@link #OUTCOMES}.
 */
public final class InlinePubSub implements NonBlockingPubSub {

  public static final BlockingQueue<String> OUTCOMES = new LinkedBlockingQueue<>();

  private record Subscriber(String topic, MessageHandler handler) {}

  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

  @Override
  public void init(Metadata metadata) {}

  @Override
  public Set<PubSubFeature> features() {
    return Set.of();
  }

  @Override
  public void publish(PublishRequest request) {
    for (Subscriber s : subscribers) {
      if (s.topic().equals(request.topic())) {
        s.handler().handle(new Message(request.topic(), request.data(), Map.of()))
            .whenComplete((ok, failure) -> OUTCOMES.add(failure == null ? "acked" : "failed: " + failure));
      }
    }
  }

  @Override
  public CompletableFuture<Void> publishAsync(PublishRequest request) {
    publish(request);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    Subscriber s = new Subscriber(request.topic(), handler);
    subscribers.add(s);
    return () -> subscribers.remove(s);
  }

  @Override
  public void close() {
    subscribers.clear();
  }
}
