package io.layotto.e2e.harness;

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
 * A private etcd (Debian's etcd-server binary) on free ports with its data in a temp dir; there is
 * no shared etcd on this machine. It can be killed, started again on the same ports and data dir,
 * and frozen. Killed by a shutdown hook if a test forgets to close it.
 */
public final class EtcdServerProcess implements FaultableServer {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private @Nullable Process process;

  private EtcdServerProcess() throws IOException {
    dir = Files.createTempDirectory("layotto-e2e-etcd");
    clientPort = freePort();
    peerPort = freePort();
  }

  /** Starts one and waits until it accepts connections. */
  public static EtcdServerProcess startOnFreePorts() {
    try {
      EtcdServerProcess server = new EtcdServerProcess();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /** {@code 127.0.0.1:<port>}, as the etcd component's {@code endpoints} metadata takes it. */
  public String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  /** (Re)starts etcd on its ports and data dir and waits until it accepts connections. */
  @Override
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("etcd on " + clientPort + " is already running");
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting etcd", e);
    }
  }

  private void launch() throws IOException, InterruptedException {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Process p = new ProcessBuilder(List.of("etcd", "--name", "e2e", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "e2e=" + peer, "--log-level", "error"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
        .start();
    process = p;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!p.isAlive()) {
        throw new IllegalStateException("etcd exited: " + Files.readString(dir.resolve("etcd.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd on port " + clientPort + " did not start within " + START_TIMEOUT);
      }
      Thread.sleep(50);
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
  public synchronized void kill() {
    Process p = process;
    process = null;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public synchronized void wipeData() {
    if (process != null) {
      throw new IllegalStateException("etcd on " + clientPort + " is running: kill it first");
    }
    FaultableServer.deleteTree(dir.resolve("data"), false);
  }

  @Override
  public synchronized void pause() {
    Signals.send(running().pid(), "STOP");
  }

  @Override
  public synchronized void resume() {
    Signals.send(running().pid(), "CONT");
  }

  private Process running() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("etcd on " + clientPort + " is not running");
    }
    return p;
  }

  @Override
  public synchronized void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
