package io.layotto.e2e.apps;

import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import spec.proto.runtime.v1.AppCallbackGrpc;
import spec.proto.runtime.v1.AppCallbackProto.ListTopicSubscriptionsResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventRequest;
import spec.proto.runtime.v1.AppCallbackProto.TopicEventResponse;
import spec.proto.runtime.v1.AppCallbackProto.TopicSubscription;

/**
 * A subscriber app for reliability tests, run in a JVM of its own so a test can SIGKILL it. It
 * serves Layotto's {@code AppCallback} on a loopback port, lists one subscription, and answers each
 * {@code OnTopicEvent} with SUCCESS only after the event's id is appended to its record file and
 * fsynced: whatever the sidecar saw acknowledged is on disk, whenever the app dies.
 *
 * <p>Usage: {@code RecordingSubscriberApp <port> <pubsub name> <topic> <record file>}
 */
public final class RecordingSubscriberApp extends AppCallbackGrpc.AppCallbackImplBase {

  private final String pubsubName;
  private final String topic;
  private final DurableLog record;
  private final AtomicLong listings = new AtomicLong();

  private RecordingSubscriberApp(String pubsubName, String topic, DurableLog record) {
    this.pubsubName = pubsubName;
    this.topic = topic;
    this.record = record;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 4) {
      System.err.println("usage: RecordingSubscriberApp <port> <pubsub name> <topic> <record file>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    DurableLog record = new DurableLog(Path.of(args[3]));
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(new RecordingSubscriberApp(args[1], args[2], record))
        .build()
        .start();
    System.out.println("recording subscriber: AppCallback on 127.0.0.1:" + port + ", pubsub " + args[1] + ", topic "
        + args[2] + ", record " + args[3]);
    server.awaitTermination();
  }

  @Override
  public void listTopicSubscriptions(Empty request, StreamObserver<ListTopicSubscriptionsResponse> observer) {
    System.out.println("listing #" + listings.incrementAndGet());
    observer.onNext(ListTopicSubscriptionsResponse.newBuilder()
        .addSubscriptions(TopicSubscription.newBuilder().setPubsubName(pubsubName).setTopic(topic))
        .build());
    observer.onCompleted();
  }

  @Override
  public void onTopicEvent(TopicEventRequest request, StreamObserver<TopicEventResponse> observer) {
    record.append(request.getId()).whenComplete((written, failure) -> {
      if (failure == null) {
        observer.onNext(TopicEventResponse.newBuilder()
            .setStatus(TopicEventResponse.TopicEventResponseStatus.SUCCESS).build());
        observer.onCompleted();
      } else {
        // Not recorded: the sidecar must deliver it again.
        observer.onError(Status.UNAVAILABLE.withDescription("cannot record event " + request.getId() + ": " + failure)
            .asRuntimeException());
      }
    });
  }
}
