package io.layotto.e2e.harness;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/** Plain-text grpc-java channels (Netty, shaded) to a sidecar's API port, as an application would open them. */
public final class GrpcClients {

  /** Every call gets this deadline, so a hanging sidecar fails a test instead of stalling the build. */
  public static final long CALL_DEADLINE_SECONDS = 20;

  private GrpcClients() {}

  public static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  public static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
