package io.layotto.runtime.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.layotto.runtime.component.LoadedComponents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** {@link ApiServices} on an in-process server, as the sidecar would serve them, plus a channel to it. */
final class InProcessApi implements AutoCloseable {

  private final Server server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  final ManagedChannel channel;

  InProcessApi(LoadedComponents components) {
    String name = "api-" + UUID.randomUUID();
    try {
      server = InProcessServerBuilder.forName(name).executor(executor)
          .addServices(ApiServices.definitions(components)).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.close();
  }
}
