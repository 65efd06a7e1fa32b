package io.layotto.runtime.pubsub;

import com.google.protobuf.Empty;
import io.dapr.v1.DaprAppCallbackProtos;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.layotto.runtime.EventLoops;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.dapr.DaprApiService;
import io.layotto.runtime.grpc.layotto.LayottoRuntimeService;
import io.layotto.spi.Component;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.NonBlockingPubSub;
import io.layotto.spi.pubsub.delivery.AppAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spec.proto.runtime.v1.AppCallbackProto;

/**
 * Delivery to the app's callback server ({@code app.grpc_callback_port}): asks both Layotto's
 * {@code spec.proto.runtime.v1.AppCallback} and Dapr's {@code dapr.proto.runtime.v1.AppCallback} for
 * their topic subscriptions (UNIMPLEMENTED from one means the app only speaks the other), subscribes
 * them, and delivers each event with the {@code OnTopicEvent} of the API that asked for it.
 *
 * <p>The app may be down or restart at any time: the connection is kept up in the background, and
 * every time it becomes READY again the subscriptions are listed anew and reconciled (new ones added,
 * vanished or changed ones removed). While the app is unreachable, deliveries fail and are retried by
 * the delivery policy, and {@link #checkHealth()} reports DOWN (readiness component
 * {@value #COMPONENT_NAME}).
 */
public final class AppCallbackDelivery implements Component {

  /** The name under which readiness reports the app connection. */
  public static final String COMPONENT_NAME = "app_callback";

  private static final Logger log = LoggerFactory.getLogger(AppCallbackDelivery.class);
  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration LIST_RETRY = Duration.ofSeconds(1);

  /** Which AppCallback service a subscription came from, and so which one gets its events. */
  public enum Api { LAYOTTO, DAPR }

  /** One listed subscription; equal listings keep their live subscription across re-listings. */
  private record Listed(Api api, SubscriptionManager.Spec spec, String path) {}

  /** Runs an answer's callbacks on the thread that read it: the channel's event loop. */
  private static final Executor IN_PLACE = Runnable::run;

  private final String target;
  private final ManagedChannel channel;
  private final LoadedComponents components;
  private final SubscriptionManager manager;
  private final ScheduledExecutorService worker;
  private final Map<Listed, SubscriptionManager.Handle> active = new LinkedHashMap<>();
  private volatile @Nullable String listFailure = "subscriptions not listed yet";
  private volatile boolean closed;

  private AppCallbackDelivery(String host, int port, LoadedComponents components, CloudEvents cloudEvents,
      EventLoops loops) {
    this.target = host + ":" + port;
    this.channel = NettyChannelBuilder.forAddress(host, port)
        .eventLoopGroup(loops.group())
        .channelType(loops.channelType())
        .usePlaintext()
        .build();
    this.components = components;
    this.manager = new SubscriptionManager(components, cloudEvents);
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "layotto-app-callback");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Connects to the app without waiting for it and subscribes what it lists, now and whenever it
   * comes back. The connection lives on the sidecar's event loops, which must outlive it.
   */
  public static AppCallbackDelivery start(String host, int port, LoadedComponents components, EventLoops loops) {
    AppCallbackDelivery delivery = new AppCallbackDelivery(host, port, components, new CloudEvents(), loops);
    log.info("app callback: connecting to {} (Layotto and Dapr AppCallback)", delivery.target);
    delivery.watch(ConnectivityState.IDLE);
    delivery.worker.execute(delivery::refresh);
    delivery.worker.scheduleWithFixedDelay(() -> {
      if (delivery.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        // gRPC waits ever longer between reconnects (up to 2 min); a restarted app listens again within
        // seconds and is local, so probe it every LIST_RETRY instead of leaving its events waiting.
        delivery.channel.resetConnectBackoff();
      }
      if (delivery.listFailure != null) {
        delivery.refresh();
      }
    }, LIST_RETRY.toMillis(), LIST_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    return delivery;
  }

  /** Follows the connection: keeps it up, and re-lists after every return to READY. */
  private void watch(ConnectivityState previous) {
    if (closed) {
      return;
    }
    ConnectivityState now = channel.getState(true);
    if (now == ConnectivityState.READY && previous != ConnectivityState.READY) {
      try {
        worker.execute(this::refresh);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing
      }
    }
    if (now == ConnectivityState.TRANSIENT_FAILURE && previous != ConnectivityState.TRANSIENT_FAILURE) {
      log.warn("app callback: {} is unreachable; deliveries are retried until it is back", target);
    }
    channel.notifyWhenStateChanged(now, () -> watch(now));
  }

  /** Lists both APIs' subscriptions and reconciles; on failure keeps the current ones and retries later. */
  private synchronized void refresh() {
    if (closed || manager.isDraining()) {
      return;
    }
    List<Listed> wanted = new ArrayList<>();
    try {
      var layotto = list(Api.LAYOTTO);
      if (layotto != null) {
        for (AppCallbackProto.TopicSubscription s : ((AppCallbackProto.ListTopicSubscriptionsResponse) layotto)
            .getSubscriptionsList()) {
          wanted.add(new Listed(Api.LAYOTTO, new SubscriptionManager.Spec(s.getPubsubName(), s.getTopic(),
              s.getMetadataMap(), s.getMetadataMap().get(SubscriptionManager.DEAD_LETTER_TOPIC)), ""));
        }
      }
      var dapr = list(Api.DAPR);
      if (dapr != null) {
        for (DaprAppCallbackProtos.TopicSubscription s : ((DaprAppCallbackProtos.ListTopicSubscriptionsResponse) dapr)
            .getSubscriptionsList()) {
          String deadLetter = s.getDeadLetterTopic().isEmpty()
              ? s.getMetadataMap().get(SubscriptionManager.DEAD_LETTER_TOPIC) : s.getDeadLetterTopic();
          wanted.add(new Listed(Api.DAPR, new SubscriptionManager.Spec(s.getPubsubName(), s.getTopic(),
              s.getMetadataMap(), deadLetter), s.hasRoutes() ? s.getRoutes().getDefault() : ""));
        }
      }
      if (layotto == null && dapr == null) {
        log.warn("app callback: {} implements neither Layotto's nor Dapr's AppCallback; no subscriptions", target);
      }
    } catch (StatusRuntimeException e) {
      String failure = "listing the app's subscriptions at " + target + " failed: " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
      if (!failure.equals(listFailure)) {
        log.warn("app callback: {}; retrying", failure);
      }
      listFailure = failure;
      return;
    }
    reconcile(wanted);
    listFailure = null;
  }

  /** One API's listing; null when the app does not implement that API. */
  private @Nullable Object list(Api api) {
    try {
      return switch (api) {
        case LAYOTTO -> spec.proto.runtime.v1.AppCallbackGrpc.newBlockingStub(channel)
            .withDeadlineAfter(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .listTopicSubscriptions(Empty.getDefaultInstance());
        case DAPR -> io.dapr.v1.AppCallbackGrpc.newBlockingStub(channel)
            .withDeadlineAfter(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .listTopicSubscriptions(Empty.getDefaultInstance());
      };
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return null;
      }
      throw e;
    }
  }

  private void reconcile(List<Listed> wanted) {
    var iterator = active.entrySet().iterator();
    while (iterator.hasNext()) {
      var entry = iterator.next();
      if (!wanted.contains(entry.getKey())) {
        log.info("app callback: the app no longer lists topic '{}' of pubsub '{}' ({} API); unsubscribing",
            entry.getKey().spec().topic(), entry.getKey().spec().pubsubName(), entry.getKey().api());
        entry.getValue().close();
        iterator.remove();
      }
    }
    for (Listed listed : wanted) {
      if (active.containsKey(listed)) {
        continue;
      }
      try {
        active.put(listed, manager.subscribe(listed.spec(), sink(listed)));
      } catch (StatusRuntimeException e) {
        log.warn("app callback: the app's subscription to topic '{}' of pubsub '{}' ({} API) is ignored: {}",
            listed.spec().topic(), listed.spec().pubsubName(), listed.api(), e.getStatus().getDescription());
      }
    }
  }

  /**
   * The app's answers arrive on the channel's event loop. A component that settles without blocking
   * ({@link NonBlockingPubSub}) is given them there; for any other the answer moves to gRPC's
   * executor first, where acking may block.
   */
  private EventSink sink(Listed listed) {
    Duration timeout = components.pubSubOptions(listed.spec().pubsubName()).delivery().with(listed.spec().metadata())
        .policy().attemptTimeout();
    boolean settlesInPlace = components.pubSub(listed.spec().pubsubName())
        .map(pubSub -> pubSub instanceof NonBlockingPubSub).orElse(false);
    return switch (listed.api()) {
      case LAYOTTO -> event -> call(response -> AppAnswers.ofStatusNumber(
          ((AppCallbackProto.TopicEventResponse) response).getStatusValue()), observer ->
          answeredIn(spec.proto.runtime.v1.AppCallbackGrpc.newStub(channel), settlesInPlace)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .onTopicEvent(LayottoRuntimeService.topicEventRequest(event), cast(observer)));
      case DAPR -> event -> call(response -> AppAnswers.ofStatusNumber(
          ((DaprAppCallbackProtos.TopicEventResponse) response).getStatusValue()), observer ->
          answeredIn(io.dapr.v1.AppCallbackGrpc.newStub(channel), settlesInPlace)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .onTopicEvent(DaprApiService.topicEventRequest(event, listed.path()), cast(observer)));
    };
  }

  private static <S extends AbstractStub<S>> S answeredIn(S stub, boolean onTheEventLoop) {
    return onTheEventLoop ? stub.withExecutor(IN_PLACE) : stub;
  }

  @SuppressWarnings("unchecked")
  private static <T> StreamObserver<T> cast(StreamObserver<Object> observer) {
    return (StreamObserver<T>) observer;
  }

  /** Runs one OnTopicEvent call; any call failure (UNAVAILABLE, UNIMPLEMENTED, bad answer) fails the stage. */
  private static CompletionStage<AppAnswer> call(Function<Object, AppAnswer> answer,
      java.util.function.Consumer<StreamObserver<Object>> rpc) {
    CompletableFuture<AppAnswer> result = new CompletableFuture<>();
    // A delivery belongs to no API call. Should a component deliver on the thread of the PublishEvent
    // call that queued the event, that call's gRPC Context would cancel the delivery as soon as
    // PublishEvent answers, and the event would be delivered twice.
    Context.ROOT.run(() -> rpc.accept(new StreamObserver<>() {
      @Override
      public void onNext(Object response) {
        result.complete(answer.apply(response));
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new IllegalStateException("the app answered without a response"));
      }
    }));
    return result;
  }

  /** The subscriptions currently live, as {@code API pubsub/topic}, for logs and tests. */
  public synchronized List<String> subscriptions() {
    return active.keySet().stream().map(l -> l.api() + " " + l.spec().pubsubName() + "/" + l.spec().topic())
        .toList();
  }

  @Override
  public void init(Metadata metadata) {
    // configured through start(); nothing to initialise
  }

  /** UP when the app is connected and its subscriptions are listed. */
  @Override
  public Health checkHealth() {
    if (closed) {
      return Health.down("closed");
    }
    ConnectivityState state = channel.getState(false);
    if (state != ConnectivityState.READY) {
      return Health.down("app callback at " + target + " is " + state);
    }
    String failure = listFailure;
    return failure == null ? Health.up() : Health.down(failure);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdownNow();
    synchronized (this) {
      active.values().forEach(SubscriptionManager.Handle::close);
      active.clear();
    }
    manager.close();
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
