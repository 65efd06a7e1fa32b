package io.layotto.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Value;
import io.dapr.v1.DaprAppCallbackProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import spec.proto.runtime.v1.AppCallbackProto;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * A streaming subscription as an app opens it with grpc-java: Layotto's {@code SubscribeTopicEvents}
 * or Dapr's {@code SubscribeTopicEventsAlpha1}. It sends the initial request, queues the events it
 * receives, answers them with {@link #processed}, and can go away without answering ({@link #cancel}).
 */
public abstract sealed class StreamingSubscriber implements AutoCloseable {

  /** One event as the subscriber received it. */
  public record Event(String id, String source, String type, String specVersion, String dataContentType,
      byte[] data, String topic, String pubsubName, Map<String, String> extensions) {
    public String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  /** Status numbers of {@code TopicEventResponse} (the same in both APIs). */
  public static final int SUCCESS = 0;
  public static final int RETRY = 1;
  public static final int DROP = 2;

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> initialResponse = new CompletableFuture<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private @Nullable ClientCallStreamObserver<?> call;

  /** Opens a stream on the given API (nothing is sent yet). */
  public static StreamingSubscriber open(AppServer.Api api, ManagedChannel channel) {
    return switch (api) {
      case LAYOTTO -> new Layotto(channel);
      case DAPR -> new Dapr(channel);
    };
  }

  /** Sends the initial request. */
  public abstract void subscribe(String pubsubName, String topic, Map<String, String> metadata);

  /** Answers an event with a status number (not necessarily a valid one). */
  public abstract void processed(String id, int status);

  /** Subscribes and waits for the initial response. */
  public StreamingSubscriber subscribed(String pubsubName, String topic, Map<String, String> metadata) {
    subscribe(pubsubName, topic, metadata);
    awaitInitialResponse();
    return this;
  }

  /** Waits for the initial response; fails with the stream's status if it ends first. */
  public void awaitInitialResponse() {
    try {
      CompletableFuture.anyOf(initialResponse, end).get(AppServer.EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("no initial response within " + AppServer.EVENT_TIMEOUT, e);
    }
    assertThat(initialResponse).as("initial response before the stream ended with %s", end.getNow(null)).isDone();
  }

  public boolean hasInitialResponse() {
    return initialResponse.isDone();
  }

  /** The next event, waiting up to {@link AppServer#EVENT_TIMEOUT}. */
  public Event next() {
    Event event = poll(AppServer.EVENT_TIMEOUT);
    assertThat(event).as("an event within %s (stream end: %s)", AppServer.EVENT_TIMEOUT, end.getNow(null))
        .isNotNull();
    return event;
  }

  /** The next event within {@code timeout}, or null. */
  public @Nullable Event poll(Duration timeout) {
    try {
      return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the stream to end and returns its status (OK for a normal completion). */
  public Status awaitEnd() {
    try {
      return end.get(AppServer.EVENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the stream did not end within " + AppServer.EVENT_TIMEOUT, e);
    }
  }

  /** Goes away without answering what is outstanding (the client cancels the call). */
  public void cancel() {
    ClientCallStreamObserver<?> c = call;
    if (c != null) {
      c.cancel("the subscriber goes away", null);
    }
  }

  /** Cancels the stream if it is still open. */
  @Override
  public void close() {
    if (!end.isDone()) {
      cancel();
    }
  }

  /** Receives the server's messages of either API. */
  final <Q, R> ClientResponseObserver<Q, R> observer(java.util.function.Function<R, @Nullable Event> read) {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        call = requestStream;
      }

      @Override
      public void onNext(R response) {
        Event event = read.apply(response);
        if (event == null) {
          initialResponse.complete(null);
        } else {
          events.add(event);
        }
      }

      @Override
      public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        end.complete(Status.OK);
      }
    };
  }

  private static final class Layotto extends StreamingSubscriber {
    private final StreamObserver<RuntimeProto.SubscribeTopicEventsRequest> requests;

    Layotto(ManagedChannel channel) {
      requests = RuntimeGrpc.newStub(channel).subscribeTopicEvents(
          this.<RuntimeProto.SubscribeTopicEventsRequest, RuntimeProto.SubscribeTopicEventsResponse>observer(r -> {
            if (r.hasInitialResponse()) {
              return null;
            }
            AppCallbackProto.TopicEventRequest e = r.getEventMessage();
            return new Event(e.getId(), e.getSource(), e.getType(), e.getSpecVersion(), e.getDataContentType(),
                e.getData().toByteArray(), e.getTopic(), e.getPubsubName(), e.getMetadataMap());
          }));
    }

    @Override
    public void subscribe(String pubsubName, String topic, Map<String, String> metadata) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setInitialRequest(
          RuntimeProto.SubscribeTopicEventsRequestInitial.newBuilder().setPubsubName(pubsubName).setTopic(topic)
              .putAllMetadata(metadata)).build());
    }

    @Override
    public void processed(String id, int status) {
      requests.onNext(RuntimeProto.SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
          RuntimeProto.SubscribeTopicEventsRequestProcessed.newBuilder().setId(id)
              .setStatus(AppCallbackProto.TopicEventResponse.newBuilder().setStatusValue(status))).build());
    }
  }

  private static final class Dapr extends StreamingSubscriber {
    private final StreamObserver<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1> requests;

    Dapr(ManagedChannel channel) {
      requests = DaprGrpc.newStub(channel).subscribeTopicEventsAlpha1(
          this.<DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1,
              DaprPubsubProtos.SubscribeTopicEventsResponseAlpha1>observer(r -> {
            if (r.hasInitialResponse()) {
              return null;
            }
            DaprAppCallbackProtos.TopicEventRequest e = r.getEventMessage();
            Map<String, String> extensions = new LinkedHashMap<>();
            for (Map.Entry<String, Value> field : e.getExtensions().getFieldsMap().entrySet()) {
              extensions.put(field.getKey(), field.getValue().hasStringValue() ? field.getValue().getStringValue()
                  : field.getValue().toString());
            }
            return new Event(e.getId(), e.getSource(), e.getType(), e.getSpecVersion(), e.getDataContentType(),
                e.getData().toByteArray(), e.getTopic(), e.getPubsubName(), extensions);
          }));
    }

    @Override
    public void subscribe(String pubsubName, String topic, Map<String, String> metadata) {
      requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setInitialRequest(
          DaprPubsubProtos.SubscribeTopicEventsRequestInitialAlpha1.newBuilder().setPubsubName(pubsubName)
              .setTopic(topic).putAllMetadata(metadata)).build());
    }

    @Override
    public void processed(String id, int status) {
      requests.onNext(DaprPubsubProtos.SubscribeTopicEventsRequestAlpha1.newBuilder().setEventProcessed(
          DaprPubsubProtos.SubscribeTopicEventsRequestProcessedAlpha1.newBuilder().setId(id)
              .setStatus(DaprAppCallbackProtos.TopicEventResponse.newBuilder().setStatusValue(status))).build());
    }
  }
}
