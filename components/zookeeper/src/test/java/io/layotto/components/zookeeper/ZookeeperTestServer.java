package io.layotto.components.zookeeper;

import io.layotto.spi.Metadata;
import java.util.HashMap;
import java.util.Map;
import org.apache.curator.test.TestingServer;

/** An in-process ZooKeeper server on a free port for one test class, with metadata pointing at it. */
final class ZookeeperTestServer implements AutoCloseable {

  private final TestingServer server;

  ZookeeperTestServer() {
    try {
      server = new TestingServer(true);
    } catch (Exception e) {
      throw new IllegalStateException("could not start an in-process ZooKeeper server", e);
    }
  }

  TestingServer server() {
    return server;
  }

  /** Metadata for a component of this server, plus {@code extra} keys. */
  Metadata metadata(String name, Map<String, String> extra) {
    Map<String, String> props = new HashMap<>();
    props.put(ZookeeperSettings.HOSTS, server.getConnectString());
    props.putAll(extra);
    return new Metadata(name, props);
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
