package io.layotto.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A private backend server in an OS process of its own that a fault test may crash, restart on the
 * same port and data, and freeze: {@link RedisServerProcess}, {@link EtcdServerProcess},
 * {@link ZookeeperServerProcess}.
 */
public interface FaultableServer extends AutoCloseable {

  /** Kills the server abruptly (SIGKILL) and waits until it is gone. */
  void kill();

  /** Starts the killed server again on the same port and data dir, and waits until it accepts connections. */
  void start();

  /** Deletes the server's data while it is killed, as a lost disk or a wrongly provisioned volume would. */
  void wipeData();

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  void pause();

  /** Thaws a paused server (SIGCONT). */
  void resume();

  /** Kills the server and removes its data. */
  @Override
  void close();

  /** Deletes {@code root} and everything below it, or only what is below it when {@code keepRoot}. */
  static void deleteTree(Path root, boolean keepRoot) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).filter(path -> !keepRoot || !path.equals(root))
          .forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
