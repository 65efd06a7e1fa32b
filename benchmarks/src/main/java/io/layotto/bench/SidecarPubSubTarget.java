package io.layotto.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse.TopicEventResponseStatus;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.PublishEventRequest;
import spec.proto.runtime.v1.RuntimeProto.SubscribeTopicEventsRequest;
import spec.proto.runtime.v1.RuntimeProto.SubscribeTopicEventsRequestInitial;
import spec.proto.runtime.v1.RuntimeProto.SubscribeTopicEventsRequestProcessed;
import spec.proto.runtime.v1.RuntimeProto.SubscribeTopicEventsResponse;

/**
 * One topic of one pub/sub component through the sidecar's Layotto gRPC API, on the async stub over
 * a shared plaintext channel (direct executor: callbacks run on the transport thread):
 * publish = {@code Runtime/PublishEvent} ({@code application/octet-stream}, so the sidecar wraps
 * the bytes into a CloudEvents envelope as {@code data_base64}); subscribe = one
 * {@code Runtime/SubscribeTopicEvents} stream, answering each event with {@code event_processed}
 * SUCCESS as soon as it arrived (the sidecar acks it at the broker only then).
 */
final class SidecarPubSubTarget implements PubSubTarget {

    private final RuntimeGrpc.RuntimeStub stub;
    private final String pubsubName;
    private final String topic;
    private final String contentType;
    private final Object sending = new Object();
    private final @Nullable BenchAppCallback callbacks;
    private @Nullable StreamObserver<SubscribeTopicEventsRequest> requests;

    /**
     * @param callbacks the application's callback server when messages are delivered through
     *     {@code AppCallback/OnTopicEvent} (the sidecar subscribed at start); null for a
     *     {@code SubscribeTopicEvents} stream
     * @param contentType the {@code data_content_type} of every publish
     */
    SidecarPubSubTarget(ManagedChannel channel, String pubsubName, String topic, String contentType,
            @Nullable BenchAppCallback callbacks) {
        this.stub = RuntimeGrpc.newStub(channel);
        this.pubsubName = pubsubName;
        this.topic = topic;
        this.contentType = contentType;
        this.callbacks = callbacks;
    }

    @Override
    public String name() {
        return "sidecar";
    }

    @Override
    public String describeCalls() {
        return "Layotto gRPC (spec.proto.runtime.v1.Runtime), async stub, one channel: publish = PublishEvent ("
                + contentType + ", CloudEvents envelope), subscribe = " + (callbacks == null
                        ? "SubscribeTopicEvents stream, event_processed SUCCESS on receipt"
                        : "the app's AppCallback server (ListTopicSubscriptions at sidecar start, OnTopicEvent answered"
                                + " SUCCESS on receipt)");
    }

    @Override
    public void subscribe(DeliverySink sink) throws Exception {
        if (callbacks != null) {
            callbacks.route(topic, sink); // the sidecar subscribed for the app when it started
            return;
        }
        var subscribed = new CompletableFuture<Void>();
        StreamObserver<SubscribeTopicEventsRequest> stream = stub.subscribeTopicEvents(new StreamObserver<>() {
            @Override
            public void onNext(SubscribeTopicEventsResponse response) {
                long received = System.nanoTime();
                if (response.hasInitialResponse()) {
                    subscribed.complete(null);
                    return;
                }
                var event = response.getEventMessage();
                sink.received(event.getData().toByteArray(), received);
                send(SubscribeTopicEventsRequest.newBuilder().setEventProcessed(
                        SubscribeTopicEventsRequestProcessed.newBuilder().setId(event.getId()).setStatus(
                                TopicEventResponse.newBuilder().setStatus(TopicEventResponseStatus.SUCCESS)))
                        .build());
            }

            @Override
            public void onError(Throwable error) {
                if (!subscribed.completeExceptionally(error)) {
                    // deliveries stop: the run reports the missing messages as unfinished
                    System.err.println("[bench] SubscribeTopicEvents stream of topic " + topic + " failed: " + error);
                }
            }

            @Override
            public void onCompleted() {
                subscribed.completeExceptionally(new IllegalStateException("the sidecar ended the stream"));
            }
        });
        synchronized (sending) {
            requests = stream;
        }
        send(SubscribeTopicEventsRequest.newBuilder().setInitialRequest(SubscribeTopicEventsRequestInitial.newBuilder()
                .setPubsubName(pubsubName).setTopic(topic)).build());
        subscribed.get(60, TimeUnit.SECONDS);
    }

    /** Stream observers are not thread-safe: the first request and the answers must not interleave. */
    private void send(SubscribeTopicEventsRequest request) {
        synchronized (sending) {
            if (requests != null) {
                requests.onNext(request);
            }
        }
    }

    @Override
    public CompletableFuture<?> publish(byte[] payload) {
        var request = PublishEventRequest.newBuilder()
                .setPubsubName(pubsubName)
                .setTopic(topic)
                .setData(ByteString.copyFrom(payload))
                .setDataContentType(contentType)
                .build();
        var done = new CompletableFuture<Void>();
        stub.publishEvent(request, new StreamObserver<>() {
            @Override
            public void onNext(Empty value) {
                done.complete(null);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        return done;
    }

    /** Ends the stream (the sidecar closes the subscription); the channel belongs to the caller. */
    @Override
    public void close() {
        synchronized (sending) {
            if (requests != null) {
                try {
                    requests.onCompleted();
                } catch (RuntimeException e) {
                    // the stream already failed
                }
                requests = null;
            }
        }
    }
}
