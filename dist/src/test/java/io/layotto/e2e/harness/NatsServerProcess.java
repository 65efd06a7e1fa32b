package io.layotto.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A private {@code nats-server -js} on a free port with its JetStream store in a temp dir, for tests
 * that kill and restart the broker; the shared server on 4222 is never touched. It can be killed and
 * started again on the same port and store, which it recovers.
 */
public final class NatsServerProcess implements AutoCloseable {

  private static final List<NatsServerProcess> STARTED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(NatsServerProcess::close)));
  }

  private final int port;
  private final Path dir;
  private @Nullable Process process;

  private NatsServerProcess(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts a private JetStream server on a free port and waits until it accepts connections. */
  public static NatsServerProcess startOnFreePort() {
    try {
      NatsServerProcess nats = new NatsServerProcess(FreePorts.one(), Files.createTempDirectory("layotto-e2e-nats-"));
      STARTED.add(nats);
      nats.start();
      return nats;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** (Re)starts the server on its port and store and waits until it accepts connections. */
  public void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("nats-server on " + port + " is already running");
    }
    try {
      process = new ProcessBuilder("nats-server", "-a", "127.0.0.1", "-p", String.valueOf(port),
          "-js", "-sd", dir.resolve("store").toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nats.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nats-server (is it installed?)", e);
    }
    Process started = process;
    await("private nats-server on port " + port)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!started.isAlive()) {
            throw new AssertionError("nats-server exited with " + started.exitValue() + ": " + log());
          }
          return accepts();
        });
  }

  /** Kills the server abruptly (SIGKILL), as a crashed broker would vanish. */
  public void kill() {
    Process running = process;
    if (running == null) {
      return;
    }
    running.destroyForcibly();
    try {
      if (!running.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("nats-server on " + port + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Kills the server and removes its store. */
  @Override
  public void close() {
    kill();
    STARTED.remove(this);
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The server's output, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("nats.log"));
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }
}
