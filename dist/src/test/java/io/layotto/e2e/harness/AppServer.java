package io.layotto.e2e.harness;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.Empty;
import com.google.protobuf.Value;
import io.dapr.v1.DaprAppCallbackProtos;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import spec.proto.runtime.v1.AppCallbackGrpc;
import spec.proto.runtime.v1.AppCallbackProto;

/**
 * An application's gRPC callback server, as a real app would run it with grpc-java: Layotto's
 * {@code spec.proto.runtime.v1.AppCallback} and/or Dapr's {@code dapr.proto.runtime.v1.AppCallback}
 * (only the APIs it has subscriptions for, so the sidecar also meets an app speaking just one).
 * It lists the given subscriptions, records every event it receives, and answers each one as the
 * test tells it per topic (SUCCESS by default), including malformed answers.
 */
public final class AppServer implements AutoCloseable {

  /** How long tests wait for an event: delivery through a child JVM on a busy 2-core machine. */
  public static final Duration EVENT_TIMEOUT = Duration.ofSeconds(60);

  /** Which AppCallback service a subscription is listed by (and its events arrive on). */
  public enum Api { LAYOTTO, DAPR }

  /**
   * One subscription the app lists.
   *
   * @param route Dapr's {@code routes.default} (arrives as the event's {@code path}); empty for none
   * @param deadLetterTopic where events go after the last failed attempt; empty for none
   */
  public record Subscription(Api api, String pubsubName, String topic, Map<String, String> metadata, String route,
      String deadLetterTopic) {
    public Subscription {
      metadata = Map.copyOf(metadata);
    }

    public static Subscription of(Api api, String pubsubName, String topic) {
      return new Subscription(api, pubsubName, topic, Map.of(), "", "");
    }

    public Subscription withMetadata(Map<String, String> more) {
      Map<String, String> merged = new LinkedHashMap<>(metadata);
      merged.putAll(more);
      return new Subscription(api, pubsubName, topic, merged, route, deadLetterTopic);
    }

    public Subscription withRoute(String path) {
      return new Subscription(api, pubsubName, topic, metadata, path, deadLetterTopic);
    }

    /** Dapr's {@code dead_letter_topic}; on Layotto's API it travels as metadata {@code deadLetterTopic}. */
    public Subscription withDeadLetterTopic(String topic) {
      return new Subscription(api, pubsubName, this.topic, metadata, route, topic);
    }
  }

  /**
   * One event as the app received it.
   *
   * @param attempt how many times the app has received this event id on this topic, this one included
   * @param extensions Layotto's {@code metadata} map, or Dapr's {@code extensions} struct as strings
   * @param path Dapr's {@code path}; empty on Layotto's API
   */
  public record Received(Api api, String id, String source, String type, String specVersion, String dataContentType,
      byte[] data, String topic, String pubsubName, Map<String, String> extensions, String path, int attempt) {
    public String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  /** What the app does with an event. */
  public sealed interface Reply {
    /** Answers with this status number: 0 SUCCESS, 1 RETRY, 2 DROP; any other is not a valid enum value. */
    record StatusNumber(int number) implements Reply {}

    /** The handler throws, so the sidecar's call fails (UNKNOWN). */
    record Throws() implements Reply {}

    /** The handler completes the call without a response message. */
    record NoResponse() implements Reply {}

    Reply SUCCESS = new StatusNumber(0);
    Reply RETRY = new StatusNumber(1);
    Reply DROP = new StatusNumber(2);
  }

  private final List<Subscription> subscriptions;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Map<String, Function<Received, Reply>> replies = new ConcurrentHashMap<>();
  private final AtomicInteger listings = new AtomicInteger();
  private final Server server;

  private AppServer(List<Subscription> subscriptions) {
    this.subscriptions = List.copyOf(subscriptions);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (BindableService service : services()) {
      builder.addService(service);
    }
    try {
      this.server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the app's callback server", e);
    }
  }

  /** Starts the callback server on a free loopback port (start it before the sidecar that calls it). */
  public static AppServer start(List<Subscription> subscriptions) {
    return new AppServer(subscriptions);
  }

  /** The port to configure as the sidecar's {@code app.grpc_callback_port}. */
  public int port() {
    return server.getPort();
  }

  /** The topics of every subscription the app lists. */
  public List<String> topics() {
    return subscriptions.stream().map(Subscription::topic).distinct().toList();
  }

  /** How often the sidecar has listed the subscriptions (both APIs count). */
  public int listings() {
    return listings.get();
  }

  /** Sets how the app answers the events of a topic (any pub/sub); SUCCESS until set. */
  public void replyOn(String topic, Function<Received, Reply> reply) {
    replies.put(topic, reply);
  }

  /** Every event received on a topic of a pub/sub, in arrival order. */
  public List<Received> receivedOn(String pubsubName, String topic) {
    return received.stream().filter(r -> r.pubsubName().equals(pubsubName) && r.topic().equals(topic)).toList();
  }

  /** Waits until at least {@code count} events arrived on the topic and returns all of them. */
  public List<Received> awaitReceived(String pubsubName, String topic, int count) {
    await("at least " + count + " events on topic " + topic + " of pubsub " + pubsubName)
        .atMost(EVENT_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> receivedOn(pubsubName, topic).size() >= count);
    return receivedOn(pubsubName, topic);
  }

  /** Waits for the first event on the topic. */
  public Received awaitFirst(String pubsubName, String topic) {
    return awaitReceived(pubsubName, topic, 1).getFirst();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<BindableService> services() {
    List<BindableService> services = new ArrayList<>();
    if (subscriptions.stream().anyMatch(s -> s.api() == Api.LAYOTTO)) {
      services.add(new LayottoCallback());
    }
    if (subscriptions.stream().anyMatch(s -> s.api() == Api.DAPR)) {
      services.add(new DaprCallback());
    }
    return services;
  }

  /** Records the event and picks the reply the test set for its topic. */
  private Reply record(Api api, String id, String source, String type, String specVersion, String contentType,
      byte[] data, String topic, String pubsubName, Map<String, String> extensions, String path) {
    int attempt = attempts.computeIfAbsent(pubsubName + "/" + topic + "/" + id, k -> new AtomicInteger())
        .incrementAndGet();
    Received event = new Received(api, id, source, type, specVersion, contentType, data, topic, pubsubName,
        Map.copyOf(extensions), path, attempt);
    received.add(event);
    return replies.getOrDefault(topic, r -> Reply.SUCCESS).apply(event);
  }

  /** Answers one OnTopicEvent call as {@code reply} says. */
  private static <T> void answer(Reply reply, Function<Integer, T> response, StreamObserver<T> observer) {
    switch (reply) {
      case Reply.StatusNumber(int number) -> {
        observer.onNext(response.apply(number));
        observer.onCompleted();
      }
      case Reply.Throws() -> throw new IllegalStateException("the app's handler failed (on purpose)");
      case Reply.NoResponse() -> observer.onCompleted();
    }
  }

  private final class LayottoCallback extends AppCallbackGrpc.AppCallbackImplBase {
    @Override
    public void listTopicSubscriptions(Empty request,
        StreamObserver<AppCallbackProto.ListTopicSubscriptionsResponse> observer) {
      listings.incrementAndGet();
      var response = AppCallbackProto.ListTopicSubscriptionsResponse.newBuilder();
      for (Subscription s : subscriptions) {
        if (s.api() == Api.LAYOTTO) {
          var subscription = AppCallbackProto.TopicSubscription.newBuilder().setPubsubName(s.pubsubName())
              .setTopic(s.topic()).putAllMetadata(s.metadata());
          if (!s.deadLetterTopic().isEmpty()) {
            subscription.putMetadata("deadLetterTopic", s.deadLetterTopic());
          }
          response.addSubscriptions(subscription);
        }
      }
      observer.onNext(response.build());
      observer.onCompleted();
    }

    @Override
    public void onTopicEvent(AppCallbackProto.TopicEventRequest request,
        StreamObserver<AppCallbackProto.TopicEventResponse> observer) {
      Reply reply = record(Api.LAYOTTO, request.getId(), request.getSource(), request.getType(),
          request.getSpecVersion(), request.getDataContentType(), request.getData().toByteArray(), request.getTopic(),
          request.getPubsubName(), request.getMetadataMap(), "");
      answer(reply, n -> AppCallbackProto.TopicEventResponse.newBuilder().setStatusValue(n).build(), observer);
    }
  }

  private final class DaprCallback extends io.dapr.v1.AppCallbackGrpc.AppCallbackImplBase {
    @Override
    public void listTopicSubscriptions(Empty request,
        StreamObserver<DaprAppCallbackProtos.ListTopicSubscriptionsResponse> observer) {
      listings.incrementAndGet();
      var response = DaprAppCallbackProtos.ListTopicSubscriptionsResponse.newBuilder();
      for (Subscription s : subscriptions) {
        if (s.api() == Api.DAPR) {
          var subscription = DaprAppCallbackProtos.TopicSubscription.newBuilder().setPubsubName(s.pubsubName())
              .setTopic(s.topic()).putAllMetadata(s.metadata()).setDeadLetterTopic(s.deadLetterTopic());
          if (!s.route().isEmpty()) {
            subscription.setRoutes(DaprAppCallbackProtos.TopicRoutes.newBuilder().setDefault(s.route()));
          }
          response.addSubscriptions(subscription);
        }
      }
      observer.onNext(response.build());
      observer.onCompleted();
    }

    @Override
    public void onTopicEvent(DaprAppCallbackProtos.TopicEventRequest request,
        StreamObserver<DaprAppCallbackProtos.TopicEventResponse> observer) {
      Map<String, String> extensions = new LinkedHashMap<>();
      for (Map.Entry<String, Value> field : request.getExtensions().getFieldsMap().entrySet()) {
        Value value = field.getValue();
        extensions.put(field.getKey(), value.hasStringValue() ? value.getStringValue() : value.toString());
      }
      Reply reply = record(Api.DAPR, request.getId(), request.getSource(), request.getType(), request.getSpecVersion(),
          request.getDataContentType(), request.getData().toByteArray(), request.getTopic(), request.getPubsubName(),
          extensions, request.getPath());
      answer(reply, n -> DaprAppCallbackProtos.TopicEventResponse.newBuilder().setStatusValue(n).build(), observer);
    }
  }
}
