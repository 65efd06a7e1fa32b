package io.layotto.e2e.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A private {@code redis-server} on a free port in a temp dir, for tests that stop and restart a
 * backend; the shared Redis on 6379 is never touched. It can be killed and started again on the same
 * port and dir. Without persistence by default; {@link #startWithAppendOnlyFile()} keeps an AOF.
 */
public final class RedisServerProcess implements FaultableServer {

  private static final List<RedisServerProcess> STARTED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(RedisServerProcess::close)));
  }

  private final int port;
  private final Path dir;
  private final List<String> persistence;
  private @Nullable Process process;

  private RedisServerProcess(int port, Path dir, List<String> persistence) {
    this.port = port;
    this.dir = dir;
    this.persistence = persistence;
  }

  /** Starts a private Redis without persistence on a free port and waits until it answers PING. */
  public static RedisServerProcess startOnFreePort() {
    return startOnFreePort(List.of("--save", "", "--appendonly", "no"));
  }

  /**
   * Starts a private Redis that logs every write to an append-only file in its dir, fsynced before
   * the write is answered ({@code appendfsync always}), so a restart after SIGKILL still holds
   * every acknowledged write. ({@code everysec} would do for a process kill in most cases, but while a
   * background fsync is slow Redis postpones the write(2) of its AOF buffer and still answers.)
   */
  public static RedisServerProcess startWithAppendOnlyFile() {
    return startOnFreePort(List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always"));
  }

  private static RedisServerProcess startOnFreePort(List<String> persistence) {
    try {
      RedisServerProcess redis = new RedisServerProcess(FreePorts.one(), Files.createTempDirectory("layotto-e2e-redis-"),
          persistence);
      STARTED.add(redis);
      redis.start();
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** (Re)starts the server on its port and waits until it answers PING. */
  @Override
  public void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis on " + port + " is already running");
    }
    try {
      List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
          "--bind", "127.0.0.1", "--dir", dir.toString()));
      command.addAll(persistence);
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server (is it installed?)", e);
    }
    Process started = process;
    await("private redis on port " + port)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!started.isAlive()) {
            throw new AssertionError("redis-server exited with " + started.exitValue() + ": " + log());
          }
          return answersPing();
        });
  }

  /** Kills the server abruptly (SIGKILL), as a crashed backend would vanish. */
  @Override
  public void kill() {
    Process running = process;
    if (running == null) {
      return;
    }
    running.destroyForcibly();
    try {
      if (!running.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("redis-server on " + port + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void wipeData() {
    if (process != null) {
      throw new IllegalStateException("redis on " + port + " is running: kill it first");
    }
    try (var files = Files.list(dir)) {
      files.filter(path -> !path.getFileName().toString().equals("redis.log"))
          .forEach(path -> FaultableServer.deleteTree(path, false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, so calls hang in flight. */
  @Override
  public void pause() {
    signal("STOP");
  }

  /** Thaws a paused server (SIGCONT); the queued commands are answered. */
  @Override
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    Process running = process;
    if (running == null) {
      throw new IllegalStateException("redis on " + port + " is not running");
    }
    Signals.send(running.pid(), name);
  }

  /** Kills the server and removes its temp dir. */
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

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "<no log: " + e + ">";
    }
  }
}
