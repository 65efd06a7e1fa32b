package io.layotto.components.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * An etcd of the test's own (Debian's etcd-server binary) on free ports with its data in a temp dir,
 * so a test may kill and restart it; the data survives restarts, as with a real etcd.
 */
final class PrivateEtcdServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private @Nullable Process process;

  PrivateEtcdServer() throws IOException {
    dir = Files.createTempDirectory("layotto-etcd-test");
    clientPort = freePort();
    peerPort = freePort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  void start() throws IOException, InterruptedException {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    process = new ProcessBuilder(List.of("etcd", "--name", "test", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "test=" + peer, "--log-level", "error"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd on port " + clientPort + " exited: " + Files.readString(dir.resolve("etcd.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd on port " + clientPort + " did not start within " + START_TIMEOUT);
      }
      Thread.sleep(50);
    }
  }

  /** SIGKILL, as a crash would, and waits for it to be gone. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
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
