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
    } catch (ComponentException e) {
      throw e;
    } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
             | KeeperException.OperationTimeoutException | KeeperException.SessionMovedException e) {
      throw ComponentException.unavailable(description + ": " + doing + " failed, ZooKeeper not reachable ("
          + e.code() + ")", e);
    } catch (KeeperException.NoAuthException | KeeperException.AuthFailedException e) {
      throw ComponentException.internal(description + ": " + doing + " refused by ZooKeeper (" + e.code()
          + "): check zookeeperPassword and the ACL of the nodes", e);
    } catch (KeeperException e) {
      throw ComponentException.internal(description + ": " + doing + " failed (" + e.code() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable(description + ": " + doing + " interrupted", e);
    } catch (Exception e) {
      throw ComponentException.internal(description + ": " + doing + " failed: " + e, e);
    }
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
