package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.netty.channel.EventLoopGroup;
import io.layotto.spi.pubsub.MessageHandler;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.PubSubFeature;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.layotto.spi.pubsub.Subscription;
import io.lettuce.core.XAddArgs;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Pub/sub on Redis Streams (type {@code redis}), stream-compatible with Dapr's and Layotto's: a
 * topic is the stream of the same name, a message one entry {@code {data, metadata}}
 * ({@link StreamEntries}), a consumer group a Redis consumer group of the same name.
 *
 * <p>Publishing is XADD on the shared connection (trimmed with {@code MAXLEN ~} when
 * {@code maxLenApprox} is set); bulk publish is one script ({@link PublishScript}). Each
 * subscription is a {@link StreamSubscription} with its own connection for blocking reads.
 *
 * <p>Consumer groups: a new group starts at the beginning of the stream ({@code 0}, as Dapr
 * creates it), so nothing published before the group's first subscription is missed; the group
 * persists in Redis, so a subscriber that leaves and returns misses nothing either. Each
 * subscription is a consumer of its own (group name plus a random suffix), so the entries it holds
 * are told apart from those of a sidecar that died, which the group claims after
 * {@code processingTimeout}. A handler slower than {@code processingTimeout} is therefore raced by
 * another consumer: at-least-once, as in Dapr.
 *
 * <p>Dapr's {@code concurrency} caps the in-flight messages of a subscription (below the runtime's
 * {@code maxInFlight}); {@code queueDepth} is the most entries one read fetches. There are no
 * worker pools or queues of our own: the handler is called from the subscription's loop thread
 * and completes asynchronously.
 *
 * <p>Features: {@link PubSubFeature#BULK_PUBLISH} only. Not ORDERING: a group's entries are spread
 * over its consumers and a failed entry is delivered again after later ones, so publish order is
 * not kept (it is, in practice, for a group's only subscription with {@code maxInFlight = 1} and
 * no failures, but that is not enforced). Not MESSAGE_TTL: stream entries cannot expire one by one;
 * the runtime's CloudEvents {@code expiration} covers it.
 */
public final class RedisPubSub implements NonBlockingPubSub, SharesEventLoops {

  static final Set<PubSubFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(PubSubFeature.BULK_PUBLISH));

  private record Session(RedisEndpoint endpoint, RedisStreamsSettings streams) {}

  private volatile @Nullable Session session;
  private @Nullable EventLoopGroup sharedLoops;
  /** Called by the runtime before {@link #init}: one Redis connection per loop, used from that loop. */
  @Override
  public synchronized void shareEventLoops(EventLoopGroup loops) {
    sharedLoops = loops;
  }

  private final Set<StreamSubscription> subscriptions = ConcurrentHashMap.newKeySet();

  @Override
  public Set<PubSubFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (session != null) {
      throw ComponentException.internal("redis pub/sub '" + metadata.componentName() + "' is already initialised", null);
    }
    RedisSettings settings = RedisSettings.from(metadata);
    RedisStreamsSettings streams = RedisStreamsSettings.from(metadata);
    session = new Session(RedisEndpoint.open("redis pub/sub", metadata.componentName(), settings, sharedLoops), streams);
  }

  @Override
  public Health checkHealth() {
    Session s = session;
    if (s == null) {
      return Health.down("redis pub/sub is not initialised");
    }
    return s.endpoint().health();
  }

  @Override
  public void publish(PublishRequest request) {
    Session s = session();
    String topic = requireTopic(request.topic());
    s.endpoint().await(xadd(s, topic, request), "publish to topic '" + topic + "'");
  }

  @Override
  public CompletableFuture<Void> publishAsync(PublishRequest request) {
    Session s = session();
    String topic = requireTopic(request.topic());
    return s.endpoint().translated(xadd(s, topic, request), "publish to topic '" + topic + "'")
        .thenApply(id -> null);
  }

  private static CompletableFuture<String> xadd(Session s, String topic, PublishRequest request) {
    XAddArgs args = new XAddArgs();
    s.streams().maxLenApprox().ifPresent(maxLen -> args.maxlen(maxLen).approximateTrimming());
    return s.endpoint().redis().xadd(topic, args, StreamEntries.body(request)).toCompletableFuture();
  }

  @Override
  public void bulkPublish(List<PublishRequest> requests) {
    if (requests.isEmpty()) {
      return;
    }
    Session s = session();
    for (PublishRequest request : requests) {
      requireTopic(request.topic());
    }
    s.endpoint().await(PublishScript.send(s.endpoint().redis(), requests, s.streams().maxLenApprox()),
        "bulk publish of " + requests.size() + " messages");
  }

  @Override
  public Subscription subscribe(SubscribeRequest request, MessageHandler handler) {
    Session s = session();
    String topic = requireTopic(request.topic());
    StreamSubscription subscription = StreamSubscription.start(s.endpoint(), s.streams(), topic,
        request.consumerGroup(), s.streams().maxInFlight(request.maxInFlight()), handler, subscriptions::remove);
    subscriptions.add(subscription);
    if (session != s) { // closed meanwhile: close() may have missed this subscription
      subscription.close();
      throw ComponentException.internal("redis pub/sub was closed while subscribing to topic '" + topic + "'", null);
    }
    return subscription;
  }

  private static String requireTopic(String topic) {
    if (topic.isEmpty()) {
      throw ComponentException.invalidArgument("topic must not be empty");
    }
    return topic;
  }

  private Session session() {
    Session s = session;
    if (s == null) {
      throw ComponentException.internal("redis pub/sub is not initialised or already closed", null);
    }
    return s;
  }

  /** Stops every subscription (their unfinished messages stay pending in Redis), then disconnects. */
  @Override
  public synchronized void close() {
    Session s = session;
    session = null;
    for (StreamSubscription subscription : List.copyOf(subscriptions)) {
      subscription.close();
    }
    if (s != null) {
      s.endpoint().close();
    }
  }
}
