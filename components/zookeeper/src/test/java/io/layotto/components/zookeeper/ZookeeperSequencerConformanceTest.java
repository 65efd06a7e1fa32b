package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against an in-process ZooKeeper server, plus the node layout and group commit. */
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

  /**
   * Calls in flight together share updates: the node's version, which every write raises by one,
   * moves far less than once per id, and the ids are still 1..n in call order.
   */
  @Test
  void concurrentCallsOfOneKeyShareUpdates() throws Exception {
    ZookeeperSequencer sequencer = (ZookeeperSequencer) sequencer();
    String key = key("group-commit");
    int calls = 500;
    List<CompletableFuture<Long>> inFlight = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      inFlight.add(sequencer.nextIdAsync(key));
    }
    List<Long> ids = new ArrayList<>();
    for (CompletableFuture<Long> id : inFlight) {
      ids.add(id.get(30, TimeUnit.SECONDS));
    }
    assertThat(ids).as("ids in call order").isSorted().doesNotHaveDuplicates().hasSize(calls);
    assertThat(ids.getFirst()).isEqualTo(1);
    assertThat(ids.getLast()).isEqualTo(calls);
    try (CuratorFramework zk = rawClient()) {
      int writes = zk.checkExists().forPath("/layotto/sequencer/" + ZnodeNames.encode(key)).getVersion() + 1;
      assertThat(writes).as("writes of the node for %d ids", calls).isPositive().isLessThan(calls / 5);
    }
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
