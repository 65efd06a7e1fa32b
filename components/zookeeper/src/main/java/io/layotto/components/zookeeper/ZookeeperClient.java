package io.layotto.components.zookeeper;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started Curator client (one ZooKeeper session) of a component, plus the mapping of ZooKeeper
 * failures to {@link ComponentException}s. Curator re-establishes the connection and, after the
 * session expired, a new session by itself; calls made meanwhile wait up to the connection timeout
 * (a few retries) and then fail UNAVAILABLE.
 */
final class ZookeeperClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ZookeeperClient.class);

  private final CuratorFramework curator;
  private final ZookeeperSettings settings;
  private final String description;

  private ZookeeperClient(CuratorFramework curator, ZookeeperSettings settings, String description) {
    this.curator = curator;
    this.settings = settings;
    this.description = description;
  }

  /** Connects, creates {@code settings.basePath()} and fails UNAVAILABLE if no server answers in time. */
  static ZookeeperClient open(String what, String componentName, ZookeeperSettings settings) {
    String description = what + " '" + componentName + "' (zookeeper " + settings.connectString() + ")";
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
        .connectString(settings.connectString())
        .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
        .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
        .retryPolicy(new BoundedExponentialBackoffRetry(100, 1_000, 2));
    if (settings.password() != null) {
      builder.authorization("digest", settings.password().getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework curator = builder.build();
    curator.getConnectionStateListenable().addListener((c, state) -> {
      if (settings.logInfo()) {
        LOG.info("{}: connection {}", description, state);
      } else {
        LOG.debug("{}: connection {}", description, state);
      }
    });
    ZookeeperClient client = new ZookeeperClient(curator, settings, description);
    try {
      curator.start();
      if (!curator.blockUntilConnected((int) settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw ComponentException.unavailable(description + ": no server answered within "
            + settings.connectionTimeout().toMillis() + " ms", null);
      }
      if (!settings.basePath().isEmpty()) {
        client.call("creating " + settings.basePath(), () -> {
          try {
            curator.create().creatingParentsIfNeeded().forPath(settings.basePath());
          } catch (KeeperException.NodeExistsException alreadyThere) {
            // created by another sidecar or an earlier run
          }
          return null;
        });
      }
      return client;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw ComponentException.unavailable(description + ": interrupted while connecting", e);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  CuratorFramework curator() {
    return curator;
  }

  ZookeeperSettings settings() {
    return settings;
  }

  /** Work against ZooKeeper that may throw anything Curator throws. */
  interface ZkCall<T> {
    T run() throws Exception;
  }

  /** Runs {@code work}, mapping ZooKeeper failures to UNAVAILABLE (connection) or INTERNAL. */
  <T> T call(String doing, ZkCall<T> work) {
    try {
      return work.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(doing, e);
    } catch (Exception e) {
      throw failure(doing, e);
    }
  }

  /** {@code e}, met while {@code doing}, as the component failure a caller is given. */
  ComponentException failure(String doing, Throwable e) {
    return switch (e) {
      case ComponentException known -> known;
      case KeeperException.ConnectionLossException _, KeeperException.SessionExpiredException _,
           KeeperException.OperationTimeoutException _, KeeperException.SessionMovedException _ ->
          ComponentException.unavailable(description + ": " + doing + " failed, ZooKeeper not reachable ("
              + ((KeeperException) e).code() + ")", e);
      case KeeperException.NoAuthException _, KeeperException.AuthFailedException _ ->
          ComponentException.internal(description + ": " + doing + " refused by ZooKeeper ("
              + ((KeeperException) e).code() + "): check zookeeperPassword and the ACL of the nodes", e);
      case KeeperException other ->
          ComponentException.internal(description + ": " + doing + " failed (" + other.code() + ")", e);
      case InterruptedException _ -> ComponentException.unavailable(description + ": " + doing + " interrupted", e);
      default -> ComponentException.internal(description + ": " + doing + " failed: " + e, e);
    };
  }

  Health health() {
    if (curator.getZookeeperClient().isConnected()) {
      return Health.up();
    }
    return Health.down(description + " is not connected");
  }

  String description() {
    return description;
  }

  @Override
  public void close() {
    try {
      curator.close();
    } catch (RuntimeException e) {
      LOG.warn("{}: closing the ZooKeeper client failed", description, e);
    }
  }
}
