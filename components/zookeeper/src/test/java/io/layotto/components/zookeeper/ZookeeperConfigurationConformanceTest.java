package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.configuration.ConfigurationConformance;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.SaveRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

/** The configuration conformance kit against an in-process ZooKeeper server, plus the node layout. */
class ZookeeperConfigurationConformanceTest extends ConfigurationConformance {

  private final ZookeeperTestServer zookeeper = new ZookeeperTestServer();

  @Override
  protected ConfigurationStore createStore() {
    return open();
  }

  @Override
  protected ConfigurationStore createPeer() {
    return open();
  }

  private ConfigurationStore open() {
    ConfigurationStore store = new ZookeeperConfigurationStoreFactory().create();
    store.init(zookeeper.metadata("config_zk", Map.of()));
    return store;
  }

  @Override
  protected void afterClose() {
    try {
      zookeeper.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anItemIsAZnodeUnderAppGroupLabelHoldingContentAndTags() throws Exception {
    String app = newAppId();
    store().save(SaveRequest.of(app, ConfigurationItem.of("a/b", "v", "g", "l", Map.of("t", "1"))));
    String path = "/layotto/config/" + ZnodeNames.encode(app) + "/g/l/" + ZnodeNames.encode("a/b");
    try (CuratorFramework zk = CuratorFrameworkFactory.newClient(zookeeper.server().getConnectString(),
        new RetryOneTime(100))) {
      zk.start();
      assertThat(new String(zk.getData().forPath(path), StandardCharsets.UTF_8))
          .isEqualTo("{\"content\":\"v\",\"tags\":{\"t\":\"1\"}}");
      assertThat(zk.getChildren().forPath("/layotto/config/" + ZnodeNames.encode(app) + "/g/l/"
          + ZookeeperConfigurationStore.LOG_NODE)).hasSize(1);
      zk.setData().forPath(path, "{\"content\":\"by hand\"}".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(store().get(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "a/b")))
        .singleElement().satisfies(item -> {
          assertThat(item.content()).isEqualTo("by hand");
          assertThat(item.version()).isEqualTo("1");
          assertThat(item.tags()).isEmpty();
        });
    store().delete(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "a/b"));
  }

  @Test
  void theChangeLogStaysBoundedAndASubscriberStillSeesEveryChange() throws Exception {
    String app = newAppId();
    int changes = ZookeeperConfigurationStore.LOG_KEEP + 250;
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (var subscription = store().subscribe(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "k"),
        item -> seen.add(item.content()))) {
      for (int i = 1; i <= changes; i++) {
        store().save(SaveRequest.of(app, ConfigurationItem.of("k", "v" + i, "g", "l", Map.of())));
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
          .until(() -> seen.size() >= changes);
      assertThat(seen).containsExactlyElementsOf(
          java.util.stream.IntStream.rangeClosed(1, changes).mapToObj(i -> "v" + i).toList());
    }
    try (CuratorFramework zk = CuratorFrameworkFactory.newClient(zookeeper.server().getConnectString(),
        new RetryOneTime(100))) {
      zk.start();
      assertThat(zk.getChildren().forPath("/layotto/config/" + ZnodeNames.encode(app) + "/g/l/"
          + ZookeeperConfigurationStore.LOG_NODE)).hasSizeLessThanOrEqualTo(ZookeeperConfigurationStore.LOG_KEEP + 100);
    }
    store().delete(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "k"));
  }

  @Test
  void aSubscriberBehindThePrunedLogReReadsItsItemsAndReportsTheDifferences() throws Exception {
    String app = newAppId();
    java.util.List<ConfigurationItem> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    String dir = "/layotto/config/" + ZnodeNames.encode(app) + "/g/l";
    try (var subscription = store().subscribe(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "k"),
        seen::add);
        CuratorFramework zk = CuratorFrameworkFactory.newClient(zookeeper.server().getConnectString(),
            new RetryOneTime(100))) {
      zk.start();
      store().save(SaveRequest.of(app, ConfigurationItem.of("k", "v1", "g", "l", Map.of())));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> seen.size() == 1);

      // a deletion the log does not know of, and a pruned mark past the subscriber's last entry:
      // only the re-read can report it
      zk.delete().forPath(dir + "/k");
      long newest = zk.getChildren().forPath(dir + "/" + ZookeeperConfigurationStore.LOG_NODE).stream()
          .mapToLong(n -> Long.parseLong(n.substring(n.lastIndexOf('-') + 1))).max().orElseThrow();
      zk.setData().forPath(dir + "/" + ZookeeperConfigurationStore.LOG_NODE,
          Long.toString(newest + 1).getBytes(StandardCharsets.US_ASCII));
      store().save(SaveRequest.of(app, ConfigurationItem.of("other", "x", "g", "l", Map.of())));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> seen.size() == 2);

      store().save(SaveRequest.of(app, ConfigurationItem.of("k", "v2", "g", "l", Map.of())));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> seen.size() >= 3);
      Thread.sleep(500);
      assertThat(seen).extracting(ConfigurationItem::content).containsExactly("v1", "", "v2");
      assertThat(seen.get(1).isDeleted()).isTrue();
    }
    store().delete(io.layotto.spi.configuration.ConfigurationQuery.of(app, "g", "l", "k", "other"));
  }
}
