package io.layotto.components.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A nats-server with JetStream of the test's own, on a free port with its store in a temp dir, so a
 * test may kill it and start it again on the same port and store without touching the shared server.
 */
final class PrivateNatsServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Path dir;
  private final int port;
  private final boolean jetStream;
  private @Nullable Process process;

  PrivateNatsServer() throws IOException {
    this(true);
  }

  /** @param jetStream whether the server enables JetStream ({@code -js}) */
  PrivateNatsServer(boolean jetStream) throws IOException {
    this.jetStream = jetStream;
    dir = Files.createTempDirectory("layotto-nats-test");
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** Starts the server on its port and store dir and waits until it accepts connections. */
  void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("nats-server on port " + port + " is already running");
    }
    Path log = dir.resolve("nats.log");
    List<String> command = new ArrayList<>(List.of("nats-server", "-a", "127.0.0.1", "-p", String.valueOf(port)));
    if (jetStream) {
      command.addAll(List.of("-js", "-sd", dir.resolve("store").toString()));
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nats-server on port " + port + " exited: " + Files.readString(log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nats-server on port " + port + " did not start within " + START_TIMEOUT);
      }
      Thread.sleep(20);
    }
  }

  /** Kills the server with SIGKILL, as a crash would, and waits for it to be gone. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
