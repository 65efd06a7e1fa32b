package io.layotto.components.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A redis-server of the test's own, on a free port in a temp dir and without persistence, so a test
 * may kill and restart it without disturbing the shared server other tests use.
 */
final class PrivateRedisServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final int port;
  private final List<String> extraArguments;
  private @Nullable Process process;

  PrivateRedisServer() throws IOException {
    this(List.of());
  }

  /** @param extraArguments further {@code redis-server} options, e.g. {@code --requirepass x} */
  PrivateRedisServer(List<String> extraArguments) throws IOException {
    this.extraArguments = List.copyOf(extraArguments);
    dir = Files.createTempDirectory("layotto-redis-test");
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
  }

  /**
   * A server that speaks only TLS on its port, with a self-signed certificate made by openssl, and
   * does not ask clients for certificates.
   */
  static PrivateRedisServer withTls() throws IOException, InterruptedException {
    PrivateRedisServer server = new PrivateRedisServer(List.of());
    Path cert = server.dir.resolve("redis.crt");
    Path key = server.dir.resolve("redis.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).redirectOutput(server.dir.resolve("openssl.log").toFile()).start();
    if (openssl.waitFor() != 0) {
      throw new IllegalStateException("openssl failed: " + Files.readString(server.dir.resolve("openssl.log")));
    }
    return new PrivateRedisServer(server, List.of("--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"));
  }

  private PrivateRedisServer(PrivateRedisServer plain, List<String> tlsArguments) {
    this.dir = plain.dir;
    this.port = plain.port;
    this.extraArguments = tlsArguments;
  }

  private boolean tls() {
    return extraArguments.contains("--tls-cert-file");
  }

  int port() {
    return port;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts the server on its port and waits until it accepts connections. */
  void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString()));
    command.addAll(tls() ? List.of("--port", "0", "--tls-port", String.valueOf(port)) : List.of("--port", String.valueOf(port)));
    command.addAll(extraArguments);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited: " + Files.readString(dir.resolve("redis.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server on port " + port + " did not start within " + START_TIMEOUT);
      }
      Thread.sleep(20);
    }
  }

  /** Kills the server abruptly, as a crash would, and waits for it to be gone. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      try {
        thaw(); // a frozen process would not die before it runs again
      } catch (IOException | IllegalStateException e) {
        // already gone
      }
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
  void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a frozen server run again (SIGCONT). */
  void thaw() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    int exit = new ProcessBuilder("kill", signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("kill " + signal + " " + p.pid() + " exited with " + exit);
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
