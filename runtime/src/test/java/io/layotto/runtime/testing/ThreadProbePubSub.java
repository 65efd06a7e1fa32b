package io.layotto.runtime.testing;

import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Types {@code test-probe-blocking} (a plain {@link PubSub}) and {@code test-probe-nonblocking} (a
 * {@link NonBlockingPubSub}): a broker that delivers each message inline to the topic's handlers and
 * records on which thread the runtime subscribed ({@link #SUBSCRIBED_ON}, by topic) and on which
 * thread each delivery was settled, i.e. the handler's stage completed ({@link #SETTLED_ON},
 * {@code "<topic> <thread>"}), where a real broker would ack.
 */
public class ThreadProbePubSub implements PubSub {

  public static final Map<String, String> SUBSCRIBED_ON = new ConcurrentHashMap<>();
  public static final BlockingQueue<String> SETTLED_ON = new LinkedBlockingQueue<>();

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
        s.handler().handle(new Message(request.topic(), request.data(), Map.of())).whenComplete((ok, failure) ->
            SETTLED_ON.add(request.topic() + " " + Thread.currentThread().getName()));
      }
    }
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    SUBSCRIBED_ON.put(request.topic(), Thread.currentThread().getName());
    Subscriber s = new Subscriber(request.topic(), handler);
    subscribers.add(s);
    return () -> subscribers.remove(s);
  }

  @Override
  public void close() {
    subscribers.clear();
  }

  /** The non-blocking flavour. */
  public static final class NonBlocking extends ThreadProbePubSub implements NonBlockingPubSub {
    @Override
    public CompletableFuture<Void> publishAsync(PublishRequest request) {
      publish(request);
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Type {@code test-probe-blocking}. */
  public static final class BlockingFactory implements PubSubFactory {
    @Override
    public String type() {
      return "test-probe-blocking";
    }

    @Override
    public MetadataSchema metadataSchema() {
      return MetadataSchema.builder().build();
    }

    @Override
    public Set<PubSubFeature> capabilities() {
      return Set.of();
    }

    @Override
    public PubSub create() {
      return new ThreadProbePubSub();
    }
  }

  /** Type {@code test-probe-nonblocking}. */
  public static final class NonBlockingFactory implements PubSubFactory {
    @Override
    public String type() {
      return "test-probe-nonblocking";
    }

    @Override
    public MetadataSchema metadataSchema() {
      return MetadataSchema.builder().build();
    }

    @Override
    public Set<PubSubFeature> capabilities() {
      return Set.of();
    }

    @Override
    public PubSub create() {
      return new NonBlocking();
    }
  }
}
