package io.layotto.e2e.harness;

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

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  void pause();

  /** Thaws a paused server (SIGCONT). */
  void resume();

  /** Kills the server and removes its data. */
  @Override
  void close();
}
