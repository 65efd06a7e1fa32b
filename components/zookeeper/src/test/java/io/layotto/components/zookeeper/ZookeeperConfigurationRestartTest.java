package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.SaveRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber on an in-process ZooKeeper server that is stopped and restarted (data kept): the
 * subscription resumes by itself, no change made after the restart is lost and nothing repeats.
 */
class ZookeeperConfigurationRestartTest {

  private static final Duration RECOVERY = Duration.ofSeconds(60);

  private ZookeeperTestServer zookeeper;
  private ConfigurationStore subscriber;
  private ConfigurationStore writer;
  private final List<ConfigurationItem> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    zookeeper = new ZookeeperTestServer();
    subscriber = open();
    writer = open();
  }

  private ConfigurationStore open() {
    ConfigurationStore store = new ZookeeperConfigurationStoreFactory().create();
    // a session longer than the outage, as in production; the restart test below also covers expiry
    store.init(zookeeper.metadata("restart_test", Map.of(ZookeeperSettings.SESSION_TIMEOUT, "20s",
        ZookeeperSettings.CONNECTION_TIMEOUT, "2s")));
    return store;
  }

  @AfterEach
  void stop() throws Exception {
    if (subscriber != null) {
      subscriber.close();
    }
    if (writer != null) {
      writer.close();
    }
    zookeeper.close();
  }

  private static ConfigurationItem item(String key, String content) {
    return ConfigurationItem.of(key, content, "default", "default", Map.of());
  }

  @Test
  void theSubscriptionResumesAfterAServerRestartAndSeesTheFinalValue() throws Exception {
    subscriber.subscribe(ConfigurationQuery.of("app", "default", "default", "k"), events::add);
    writer.save(SaveRequest.of("app", item("k", "before")));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

    zookeeper.server().stop();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> writer.save(SaveRequest.of("app", item("k", "during")))))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE));
    zookeeper.server().restart();
    await("a save succeeding after the restart").atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e instanceof ComponentException)
        .until(() -> {
          writer.save(SaveRequest.of("app", item("k", "after-1")));
          return true;
        });
    for (int i = 2; i <= 20; i++) {
      writer.save(SaveRequest.of("app", item("k", "after-" + i)));
    }
    writer.save(SaveRequest.of("app", item("k", "final")));

    await("the final value").atMost(RECOVERY).untilAsserted(() ->
        assertThat(events.getLast().content()).isEqualTo("final"));
    List<String> contents = events.stream().map(ConfigurationItem::content).toList();
    assertThat(contents).doesNotHaveDuplicates().startsWith("before").endsWith("final");
    // the change log survives the restart: every change made after it arrives, in order
    assertThat(contents.subList(contents.indexOf("after-1"), contents.size()))
        .containsExactlyElementsOf(java.util.stream.Stream.concat(
            java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> "after-" + i),
            java.util.stream.Stream.of("final")).toList());
    assertThat(subscriber.checkHealth().isUp()).isTrue();
  }
}
