package io.layotto.e2e.harness;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprPubsubProtos;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** {@code PublishEvent} with the generated grpc-java stubs of either API, as an app calls it. */
public final class Publisher {

  private Publisher() {}

  /** Publishes and returns once the sidecar accepted the event; a refusal throws StatusRuntimeException. */
  public static void publish(AppServer.Api api, ManagedChannel channel, String pubsubName, String topic, byte[] data,
      String contentType, Map<String, String> metadata) {
    switch (api) {
      case LAYOTTO -> RuntimeGrpc.newBlockingStub(channel)
          .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .publishEvent(RuntimeProto.PublishEventRequest.newBuilder().setPubsubName(pubsubName).setTopic(topic)
              .setData(ByteString.copyFrom(data)).setDataContentType(contentType).putAllMetadata(metadata).build());
      case DAPR -> DaprGrpc.newBlockingStub(channel)
          .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .publishEvent(DaprPubsubProtos.PublishEventRequest.newBuilder().setPubsubName(pubsubName).setTopic(topic)
              .setData(ByteString.copyFrom(data)).setDataContentType(contentType).putAllMetadata(metadata).build());
    }
  }

  /** Publishes UTF-8 text as {@code text/plain}. */
  public static void publishText(AppServer.Api api, ManagedChannel channel, String pubsubName, String topic,
      String text) {
    publish(api, channel, pubsubName, topic, text.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
  }
}
