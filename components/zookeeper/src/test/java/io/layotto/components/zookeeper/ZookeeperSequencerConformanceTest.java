package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against an in-process ZooKeeper server, plus the node layout. */
class ZookeeperSequencerConformanceTest extends SequencerConformance {

  private final ZookeeperTestServer zookeeper = new ZookeeperTestServer();

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    Sequencer sequencer = new ZookeeperSequencerFactory().create();
    sequencer.init(zookeeper.metadata("sequencer_zk", Map.of()), biggerThan);
    return sequencer;
  }

  @AfterAll
  void stopServer() throws Exception {
    zookeeper.close();
  }

  private CuratorFramework rawClient() {
    CuratorFramework zk = CuratorFrameworkFactory.newClient(zookeeper.server().getConnectString(), new RetryOneTime(100));
    zk.start();
    return zk;
  }

  @Test
  void theCounterIsAPersistentNodeHoldingTheLastId() throws Exception {
    String key = key("layout");
    long id = sequencer().nextId(key);
    String path = "/layotto/sequencer/" + ZnodeNames.encode(key);
    try (CuratorFramework zk = rawClient()) {
      assertThat(new String(zk.getData().forPath(path), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(id));
      assertThat(zk.checkExists().forPath(path).getEphemeralOwner()).as("persistent").isZero();
      zk.setData().forPath(path, "41".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(sequencer().nextId(key)).as("a counter set by hand is continued").isEqualTo(42);
  }

  @Test
  void aNodeHoldingSomethingElseFailsNamingTheKey() throws Exception {
    String key = key("not-a-number");
    try (CuratorFramework zk = rawClient()) {
      zk.create().creatingParentsIfNeeded().forPath("/layotto/sequencer/" + ZnodeNames.encode(key),
          "hello".getBytes(StandardCharsets.US_ASCII));
    }
    var e = assertFails(() -> sequencer().nextId(key), Kind.INTERNAL);
    assertThat(e.getMessage()).contains(key).contains("hello");
  }

  @Test
  void keysWithSlashesDotsAndEmojiAreSeparateCounters() {
    String slash = key("a/b");
    String dots = key("..");
    String emoji = key("🔒");
    assertThat(sequencer().nextId(slash)).isEqualTo(1);
    assertThat(sequencer().nextId(dots)).isEqualTo(1);
    assertThat(sequencer().nextId(emoji)).isEqualTo(1);
    assertThat(sequencer().nextId(slash)).isEqualTo(2);
  }
}
