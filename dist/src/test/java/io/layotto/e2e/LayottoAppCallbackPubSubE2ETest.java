package io.layotto.e2e;

import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.AppServer.Api;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.Publisher;
import java.util.Map;

/**
 * Layotto's API end to end: a grpc-java client publishes with {@code spec.proto.runtime.v1.Runtime/PublishEvent}
 * and an app serving Layotto's {@code AppCallback} receives the events (subscription metadata carries
 * {@code rawPayload}, {@code maxDeliveryAttempts} and {@code deadLetterTopic}).
 */
class LayottoAppCallbackPubSubE2ETest extends AppCallbackPubSubContract {

  private ManagedChannel channel;

  @Override
  Api api() {
    return Api.LAYOTTO;
  }

  @Override
  String appId() {
    return "layotto-pubsub-app";
  }

  @Override
  void connect(int grpcPort) {
    channel = GrpcClients.channel(grpcPort);
  }

  @Override
  void disconnect() {
    if (channel != null) {
      GrpcClients.close(channel);
    }
  }

  @Override
  void publish(String pubsub, String topic, byte[] data, String contentType, Map<String, String> metadata) {
    Publisher.publish(Api.LAYOTTO, channel, pubsub, topic, data, contentType, metadata);
  }
}
