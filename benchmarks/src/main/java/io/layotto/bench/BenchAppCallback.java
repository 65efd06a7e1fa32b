package io.layotto.bench;

import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import spec.proto.runtime.v1.AppCallbackGrpc;
import spec.proto.runtime.v1.AppCallbackProto.ListTopicSubscriptionsResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventRequest;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse.TopicEventResponseStatus;
import spec.proto.runtime.v1.AppCallbackProto.TopicSubscription;

/**
 * The benchmark's application side of the app-callback delivery path: a Layotto
 * {@code AppCallback} server the sidecar asks for its subscriptions at start
 * ({@code ListTopicSubscriptions}) and calls once per message ({@code OnTopicEvent}), answering
 * SUCCESS on receipt, as the streaming subscriber does. Calls run on the transport thread.
 */
final class BenchAppCallback implements AutoCloseable {

    /** A (pubsub, topic) pair the sidecar subscribes to for the application. */
    record Topic(String pubsubName, String topic) {}

    private static final TopicEventResponse SUCCESS =
            TopicEventResponse.newBuilder().setStatus(TopicEventResponseStatus.SUCCESS).build();

    private final Server server;
    private final Map<String, DeliverySink> sinks = new ConcurrentHashMap<>();

    private BenchAppCallback(List<Topic> topics) throws IOException {
        var subscriptions = ListTopicSubscriptionsResponse.newBuilder();
        for (Topic t : topics) {
            subscriptions.addSubscriptions(TopicSubscription.newBuilder().setPubsubName(t.pubsubName()).setTopic(t.topic()));
        }
        ListTopicSubscriptionsResponse listed = subscriptions.build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .directExecutor()
                .addService(new AppCallbackGrpc.AppCallbackImplBase() {
                    @Override
                    public void listTopicSubscriptions(Empty request, StreamObserver<ListTopicSubscriptionsResponse> out) {
                        out.onNext(listed);
                        out.onCompleted();
                    }

                    @Override
                    public void onTopicEvent(TopicEventRequest request, StreamObserver<TopicEventResponse> out) {
                        long received = System.nanoTime();
                        DeliverySink sink = sinks.get(request.getTopic());
                        if (sink != null) {
                            sink.received(request.getData().toByteArray(), received);
                        }
                        out.onNext(SUCCESS);
                        out.onCompleted();
                    }
                })
                .build()
                .start();
    }

    /** Listens on a free port, subscribing the application to {@code topics}. */
    static BenchAppCallback start(List<Topic> topics) throws IOException {
        return new BenchAppCallback(topics);
    }

    int port() {
        return server.getPort();
    }

    /** From now on the messages of {@code topic} go to {@code sink}. */
    void route(String topic, DeliverySink sink) {
        sinks.put(topic, sink);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
