package io.layotto.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.jspecify.annotations.Nullable;

/**
 * A standalone ZooKeeper server in a child JVM ({@link Main}) on a free port with its data in a temp
 * dir, so that a test can SIGKILL it, start it again on the same port and data, or freeze it, which
 * Curator's in-process TestingServer cannot. The tick is 1 s, so sessions may time out after 2 to 20 s.
 * ZooKeeper syncs its transaction log before it answers a write (forceSync is on by default).
 */
public final class ZookeeperServerProcess implements FaultableServer {

  /** The server's tick; ZooKeeper bounds session timeouts to 2..20 ticks. */
  public static final int TICK_MILLIS = 1_000;

  private final int port;
  private final Path dataDir;
  private final List<AppProcess> runs = new ArrayList<>();
  private @Nullable AppProcess current;

  private ZookeeperServerProcess(int port, Path dataDir) {
    this.port = port;
    this.dataDir = dataDir;
  }

  public static ZookeeperServerProcess startOnFreePort() {
    try {
      ZookeeperServerProcess server = new ZookeeperServerProcess(FreePorts.one(),
          Files.createTempDirectory("layotto-e2e-zookeeper-"));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>}, as the zookeeper components' {@code zookeeperHosts} takes it. */
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  @Override
  public synchronized void start() {
    if (current != null && current.isAlive()) {
      throw new IllegalStateException("zookeeper on " + port + " is already running");
    }
    AppProcess run = AppProcess.start(Main.class,
        List.of(String.valueOf(port), dataDir.toString(), String.valueOf(TICK_MILLIS)), port);
    runs.add(run); // its logs are kept until close
    current = run;
  }

  @Override
  public synchronized void kill() {
    AppProcess run = current;
    current = null;
    if (run != null) {
      run.kill();
    }
  }

  @Override
  public synchronized void wipeData() {
    if (current != null) {
      throw new IllegalStateException("zookeeper on " + port + " is running: kill it first");
    }
    FaultableServer.deleteTree(dataDir, true);
  }

  @Override
  public synchronized void pause() {
    Signals.send(running().pid(), "STOP");
  }

  @Override
  public synchronized void resume() {
    Signals.send(running().pid(), "CONT");
  }

  private AppProcess running() {
    AppProcess run = current;
    if (run == null) {
      throw new IllegalStateException("zookeeper on " + port + " is not running");
    }
    return run;
  }

  /** The output of every run of the server, for failure messages. */
  public synchronized String logs() {
    StringBuilder all = new StringBuilder();
    runs.forEach(run -> all.append(run.logs()).append('\n'));
    return all.toString();
  }

  @Override
  public synchronized void close() {
    kill();
    runs.forEach(AppProcess::close);
    runs.clear();
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  /** The child JVM: ZooKeeper's standalone server; args are port, data dir, tick in ms. */
  public static final class Main {

    private Main() {}

    public static void main(String[] args) {
      // the admin server would take port 8080, which other tests or servers may use
      System.setProperty("zookeeper.admin.enableServer", "false");
      ZooKeeperServerMain.main(args);
    }
  }
}
