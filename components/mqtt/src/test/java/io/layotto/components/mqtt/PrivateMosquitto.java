package io.layotto.components.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A mosquitto of the test's own on a free port, persisting to a temp dir, so a test may stop or kill it
 * and start it again on the same port and store without touching the shared broker. Mosquitto saves its
 * store on a clean stop and every {@code autosave_interval} seconds (here 1; the default is 1800).
 */
final class PrivateMosquitto implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Path dir;
  private final int port;
  private @Nullable Process process;

  PrivateMosquitto() throws IOException {
    this(List.of());
  }

  /** @param listenerOptions extra lines for the listener, e.g. {@code certfile ...} for TLS */
  PrivateMosquitto(List<String> listenerOptions) throws IOException {
    dir = Files.createTempDirectory("layotto-mosquitto-test");
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> lines = new java.util.ArrayList<>();
    lines.add("listener " + port + " 127.0.0.1");
    lines.addAll(listenerOptions);
    Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", lines) + "\n" + String.join("\n", List.of(
        "allow_anonymous true",
        "persistence true",
        "persistence_location " + dir + "/",
        "autosave_interval 1",
        // started as root, mosquitto would switch to the user 'mosquitto', who cannot write the temp dir
        "user root",
        "log_dest file " + dir.resolve("mosquitto.log"),
        "")));
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("mosquitto on port " + port + " is already running");
    }
    Path out = dir.resolve("stdout.log");
    process = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
        .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto on port " + port + " exited: " + Files.readString(out) + log());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("mosquitto on port " + port + " did not start within " + START_TIMEOUT);
      }
      Thread.sleep(20);
    }
  }

  /** SIGTERM: mosquitto disconnects its clients and saves its store, as in a planned restart. */
  void stop() throws InterruptedException {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
  }

  /** SIGKILL, as a crash: what was not saved yet is lost. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  String log() {
    try {
      Path log = dir.resolve("mosquitto.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
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
