package io.layotto.runtime.pubsub;

import com.google.protobuf.Empty;
import io.dapr.v1.DaprAppCallbackProtos;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import spec.proto.runtime.v1.AppCallbackGrpc;
import spec.proto.runtime.v1.AppCallbackProto;

/**
 * An app's gRPC callback server for tests, speaking Layotto's or Dapr's AppCallback on a fixed free
 * port (so it can be stopped and started again where the sidecar expects it).
 */
final class TestApp implements AutoCloseable {

  /** What the app does with an event: a status number, or -1 to answer without a response message. */
  static final int NO_RESPONSE = -1;

  enum Flavour { LAYOTTO, DAPR }

  /** One received event. */
  record Received(String id, String source, String type, String topic, String pubsubName, String data,
      String contentType, String path, long nanoTime) {}

  final Flavour flavour;
  final int port;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  volatile List<String> topics;
  volatile String pubsub = "ps";
  volatile Function<Received, Integer> answer = r -> 0;
  private Server server;

  TestApp(Flavour flavour, List<String> topics) {
    this.flavour = flavour;
    this.topics = topics;
    this.port = freePort();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestApp start() {
    BindableService service = flavour == Flavour.LAYOTTO ? new Layotto() : new Dapr();
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(service).build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  void stop() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  Received next() throws InterruptedException {
    Received r = received.poll(15, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no event within 15 s");
    }
    return r;
  }

  private int answerFor(Received r) {
    received.add(r);
    return answer.apply(r);
  }

  private final class Layotto extends AppCallbackGrpc.AppCallbackImplBase {
    @Override
    public void listTopicSubscriptions(Empty request,
        StreamObserver<AppCallbackProto.ListTopicSubscriptionsResponse> observer) {
      var response = AppCallbackProto.ListTopicSubscriptionsResponse.newBuilder();
      for (String topic : topics) {
        response.addSubscriptions(AppCallbackProto.TopicSubscription.newBuilder().setPubsubName(pubsub)
            .setTopic(topic));
      }
      observer.onNext(response.build());
      observer.onCompleted();
    }

    @Override
    public void onTopicEvent(AppCallbackProto.TopicEventRequest e,
        StreamObserver<AppCallbackProto.TopicEventResponse> observer) {
      int status = answerFor(new Received(e.getId(), e.getSource(), e.getType(), e.getTopic(), e.getPubsubName(),
          e.getData().toString(StandardCharsets.UTF_8), e.getDataContentType(), "", System.nanoTime()));
      if (status != NO_RESPONSE) {
        observer.onNext(AppCallbackProto.TopicEventResponse.newBuilder().setStatusValue(status).build());
      }
      observer.onCompleted();
    }
  }

  private final class Dapr extends io.dapr.v1.AppCallbackGrpc.AppCallbackImplBase {
    @Override
    public void listTopicSubscriptions(Empty request,
        StreamObserver<DaprAppCallbackProtos.ListTopicSubscriptionsResponse> observer) {
      var response = DaprAppCallbackProtos.ListTopicSubscriptionsResponse.newBuilder();
      for (String topic : topics) {
        response.addSubscriptions(DaprAppCallbackProtos.TopicSubscription.newBuilder().setPubsubName(pubsub)
            .setTopic(topic).setRoutes(DaprAppCallbackProtos.TopicRoutes.newBuilder().setDefault("/" + topic)));
      }
      observer.onNext(response.build());
      observer.onCompleted();
    }

    @Override
    public void onTopicEvent(DaprAppCallbackProtos.TopicEventRequest e,
        StreamObserver<DaprAppCallbackProtos.TopicEventResponse> observer) {
      int status = answerFor(new Received(e.getId(), e.getSource(), e.getType(), e.getTopic(), e.getPubsubName(),
          e.getData().toString(StandardCharsets.UTF_8), e.getDataContentType(), e.getPath(), System.nanoTime()));
      if (status == NO_RESPONSE) {
        observer.onCompleted();
        return;
      }
      if (status == -2) {
        observer.onError(Status.INTERNAL.withDescription("app bug").asRuntimeException());
        return;
      }
      observer.onNext(DaprAppCallbackProtos.TopicEventResponse.newBuilder().setStatusValue(status).build());
      observer.onCompleted();
    }
  }
}
