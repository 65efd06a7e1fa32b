package io.layotto.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real sidecar in a child process: a Layotto-shaped config file in a temp dir, stdout and stderr
 * captured to files (shown when a test fails), readiness awaited over HTTP, stopped with SIGTERM.
 * Every process started here is killed at the latest when the test JVM exits.
 */
public final class SidecarProcess implements AutoCloseable {

  /** Start-up of a JVM plus component init on a busy 2-core machine; generous but bounded. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  /** The drain bound of a SIGTERM stop, plus JVM exit. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private static final List<SidecarProcess> STARTED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(SidecarProcess::kill)));
  }

  private final Process process;
  private final SidecarPorts ports;
  private final Path dir;
  private final Path configFile;
  private final Path stdout;
  private final Path stderr;

  private SidecarProcess(Process process, SidecarPorts ports, Path dir, Path configFile) {
    this.process = process;
    this.ports = ports;
    this.dir = dir;
    this.configFile = configFile;
    this.stdout = dir.resolve("stdout.log");
    this.stderr = dir.resolve("stderr.log");
  }

  /** Starts a sidecar on free ports with the main class and waits until it is ready. */
  public static SidecarProcess start(SidecarConfig config) {
    return start(Launcher.mainClass(), config, SidecarPorts.free());
  }

  /** Starts a sidecar and waits until readiness answers 200. */
  public static SidecarProcess start(Launcher launcher, SidecarConfig config, SidecarPorts ports) {
    SidecarProcess sidecar = launch(launcher, config.toJson(ports), ports);
    try {
      sidecar.awaitReady();
      return sidecar;
    } catch (RuntimeException | Error e) {
      sidecar.kill();
      throw e;
    }
  }

  /** Starts {@code layotto start -c <file>} on the given config text without waiting for anything. */
  public static SidecarProcess launch(Launcher launcher, String configText, SidecarPorts ports) {
    Path dir = tempDir("layotto-e2e-");
    Path configFile = dir.resolve("config.json");
    try {
      Files.writeString(configFile, configText, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    return spawn(launcher, List.of("start", "-c", configFile.toString()), dir, ports, configFile);
  }

  /** Runs a short-lived CLI command (e.g. {@code version}) to completion and returns its result. */
  public static CommandResult run(Launcher launcher, List<String> cliArgs) {
    return run(launcher, cliArgs, Map.of());
  }

  /** As {@link #run(Launcher, List)} with more environment variables (e.g. {@code JAVA_OPTS}). */
  public static CommandResult run(Launcher launcher, List<String> cliArgs, Map<String, String> environment) {
    Path dir = tempDir("layotto-e2e-cli-");
    SidecarProcess command = spawn(launcher, cliArgs, dir, new SidecarPorts(0, 0), dir.resolve("none.json"),
        environment);
    try (command) {
      int exit = command.awaitExit(STOP_TIMEOUT);
      return new CommandResult(exit, command.stdout(), command.stderr());
    }
  }

  private static SidecarProcess spawn(Launcher launcher, List<String> cliArgs, Path dir, SidecarPorts ports,
      Path configFile) {
    return spawn(launcher, cliArgs, dir, ports, configFile, Map.of());
  }

  private static SidecarProcess spawn(Launcher launcher, List<String> cliArgs, Path dir, SidecarPorts ports,
      Path configFile, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder(launcher.command(cliArgs))
        .directory(dir.toFile())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .redirectError(dir.resolve("stderr.log").toFile());
    builder.environment().putAll(launcher.environment());
    builder.environment().putAll(environment);
    try {
      SidecarProcess process = new SidecarProcess(builder.start(), ports, dir, configFile);
      STARTED.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + builder.command(), e);
    }
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir", e);
    }
  }

  /** Exit code and output of a finished CLI command. */
  public record CommandResult(int exitCode, String stdout, String stderr) {}

  /** Waits until readiness answers 200; fails at once (with the logs) if the process dies. */
  public void awaitReady() {
    try {
      await("sidecar readiness on port " + ports.actuator())
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> {
            if (!process.isAlive()) {
              throw new AssertionError("the sidecar exited with " + process.exitValue() + " before it was ready\n"
                  + logs());
            }
            return readiness().status() == 200;
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the sidecar was not ready within " + READY_TIMEOUT + "; last readiness: "
          + readiness() + "\n" + logs(), e);
    }
  }

  public HttpReply readiness() {
    return HttpReply.get(ports.actuator(), "/actuator/health/readiness");
  }

  public HttpReply liveness() {
    return HttpReply.get(ports.actuator(), "/actuator/health/liveness");
  }

  public HttpReply info() {
    return HttpReply.get(ports.actuator(), "/actuator/info");
  }

  public SidecarPorts ports() {
    return ports;
  }

  public int grpcPort() {
    return ports.grpc();
  }

  public Path configFile() {
    return configFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM, waits for the exit within {@link #STOP_TIMEOUT} and asserts the exit code is 0. */
  public void stop() {
    int exit = terminate();
    if (exit != 0) {
      throw new AssertionError("the sidecar exited with " + exit + " after SIGTERM (expected 0)\n" + logs());
    }
  }

  /** Sends SIGTERM and returns the exit code; fails if the process does not exit in time. */
  public int terminate() {
    sendSigterm();
    return awaitExit(STOP_TIMEOUT);
  }

  /** Sends SIGTERM without waiting (to observe the drain from outside). */
  public void sendSigterm() {
    process.destroy();
  }

  /** Waits for the process to exit by itself and returns its exit code; fails (and kills it) after the timeout. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        String logs = logs();
        kill();
        throw new AssertionError("the process did not exit within " + timeout + "\n" + logs);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while waiting for the sidecar to exit", e);
    }
  }

  /** Kills the process and any children (a launcher script's JVM) at once; safe to call repeatedly. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    STARTED.remove(this);
  }

  /**
   * Kills the process if it is still running (for finally blocks and {@code @AfterAll}) and removes
   * its temp dir; failures have shown the logs by then (in the assertion message or via
   * {@link SidecarLogsOnFailure}).
   */
  @Override
  public void close() {
    kill();
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** Both captured streams, labelled, for failure messages. */
  public String logs() {
    return "----- sidecar " + dir + " stdout -----\n" + stdout()
        + "\n----- stderr -----\n" + stderr() + "\n----- end -----";
  }

  /** Every sidecar this JVM started and has not closed yet (for printing logs of a failed test). */
  static List<SidecarProcess> running() {
    return List.copyOf(STARTED);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "<cannot read " + file + ": " + e + ">";
    }
  }
}
