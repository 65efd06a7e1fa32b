package io.layotto.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Types {@code test-probe-blocking} (a plain {@link PubSub}) and {@code test-probe-nonblocking} (a
 * {@link NonBlockingPubSub}, so the runtime publishes from inside the PublishEvent call): a broker that
 * delivers each message to the topic's handlers on the thread that publishes it, once, and records
 * on which thread the runtime subscribed ({@link #SUBSCRIBED_ON}, by topic) and how and where each
 * delivery was settled, i.e. the handler's stage completed, where a real broker would ack
 * ({@link #settled(String)}).
 */
public class ThreadProbePubSub implements PubSub {

  public static final Map<String, String> SUBSCRIBED_ON = new ConcurrentHashMap<>();

  /** One settled delivery: its topic, the thread that completed the stage, and the failure if it failed. */
  public record Settled(String topic, String thread, @Nullable Throwable failure) {}

  private static final BlockingQueue<Settled> SETTLED = new LinkedBlockingQueue<>();

  private record Subscriber(String topic, MessageHandler handler) {}

  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

  /** The next delivery of {@code topic} settled, waiting up to 10 s (fails the test if none). */
  public static Settled settled(String topic) throws InterruptedException {
    while (true) {
      Settled next = SETTLED.poll(10, TimeUnit.SECONDS);
      assertThat(next).as("a delivery of topic %s settled within 10 s", topic).isNotNull();
      if (next.topic().equals(topic)) {
        return next;
      }
    }
  }

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
            SETTLED.add(new Settled(request.topic(), Thread.currentThread().getName(), failure)));
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
  public static final class BlockingFactory extends Factory {
    public BlockingFactory() {
      super("test-probe-blocking", ThreadProbePubSub::new);
    }
  }

  /** Type {@code test-probe-nonblocking}. */
  public static final class NonBlockingFactory extends Factory {
    public NonBlockingFactory() {
      super("test-probe-nonblocking", NonBlocking::new);
    }
  }

  private abstract static class Factory implements PubSubFactory {
    private final String type;
    private final Supplier<PubSub> create;

    Factory(String type, Supplier<PubSub> create) {
      this.type = type;
      this.create = create;
    }

    @Override
    public String type() {
      return type;
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
      return create.get();
    }
  }
}
