package io.layotto.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * An application in a child JVM of its own: a main class from this test JVM's classpath (the test
 * classes included), serving on a port. Output is captured to files in a temp dir; the process can be
 * killed with SIGKILL, as a crashing app would vanish. Every process started here is killed at the
 * latest when the test JVM exits.
 */
public final class AppProcess implements AutoCloseable {

  /** JVM start-up plus a gRPC server on a busy 2-core machine. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private static final List<AppProcess> STARTED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(AppProcess::kill)));
  }

  private final Process process;
  private final int port;
  private final Path dir;

  private AppProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /**
   * Runs {@code mainClass args} and waits until something accepts connections on {@code port}.
   *
   * @param port the port the app listens on (passed in its args by the caller)
   */
  public static AppProcess start(Class<?> mainClass, List<String> args, int port) {
    Path dir;
    try {
      dir = Files.createTempDirectory("layotto-e2e-app-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir", e);
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // C1 only and the serial collector: the quickest start on a busy machine, which a restart waits for
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--sun-misc-unsafe-memory-access=allow",
        "-cp", System.getProperty("java.class.path"),
        mainClass.getName()));
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectOutput(dir.resolve("stdout.log").toFile())
          .redirectError(dir.resolve("stderr.log").toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass.getName(), e);
    }
    AppProcess app = new AppProcess(process, port, dir);
    STARTED.add(app);
    try {
      app.awaitListening();
      return app;
    } catch (RuntimeException | Error e) {
      app.kill();
      throw e;
    }
  }

  private void awaitListening() {
    try {
      await("app listening on port " + port)
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!process.isAlive()) {
              throw new AssertionError("the app exited with " + process.exitValue() + " before it listened\n" + logs());
            }
            return accepts();
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the app did not listen on " + port + " within " + READY_TIMEOUT + "\n" + logs(), e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the app abruptly (SIGKILL) and waits until it is gone; safe to call repeatedly. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the app (pid " + process.pid() + ") did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    STARTED.remove(this);
  }

  /** Kills the app if it still runs and removes its temp dir. */
  @Override
  public void close() {
    kill();
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  /** Both captured streams, labelled, for failure messages. */
  public String logs() {
    return "----- app " + dir + " stdout -----\n" + read(dir.resolve("stdout.log"))
        + "\n----- stderr -----\n" + read(dir.resolve("stderr.log")) + "\n----- end -----";
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "<cannot read " + file + ": " + e + ">";
    }
  }
}
