package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.SaveRequest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber on a private redis-server that is killed and started again (empty, no persistence):
 * the subscription comes back by itself, keyspace notifications are switched on again, and the
 * final value written after the restart (through another instance or behind Layotto's back) arrives.
 */
class RedisConfigurationRestartTest {

  private static final Duration RECOVERY = Duration.ofSeconds(30);
  private static final String APP = "app";

  private PrivateRedisServer server;
  private ConfigurationStore subscriber;
  private ConfigurationStore writer;
  private final List<ConfigurationItem> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new PrivateRedisServer();
    server.start();
    subscriber = open();
    writer = open();
  }

  private ConfigurationStore open() {
    ConfigurationStore store = new RedisConfigurationStoreFactory().create();
    store.init(new Metadata("restart_test", Map.of(RedisSettings.REDIS_HOST, server.address(),
        RedisSettings.MAX_RETRY_BACKOFF, "200ms")));
    return store;
  }

  @AfterEach
  void stop() {
    if (subscriber != null) {
      subscriber.close();
    }
    if (writer != null) {
      writer.close();
    }
    server.close();
  }

  private static ConfigurationItem item(String key, String content) {
    return ConfigurationItem.of(key, content, "default", "default", Map.of());
  }

  /** Saves, retrying while the writer has not reconnected yet. */
  private void saveWhenBack(ConfigurationItem item) {
    await("a save succeeding after the restart").atMost(RECOVERY).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsMatching(e -> e instanceof ComponentException ce
            && ce.kind() == ComponentException.Kind.UNAVAILABLE)
        .until(() -> {
          writer.save(SaveRequest.of(APP, item));
          return true;
        });
  }

  /** Writes an item hash directly, as a tool other than Layotto would. */
  private void rawHset(String key, String content, String version) {
    RedisClient client = RedisClient.create("redis://" + server.address());
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      ConfigurationLayout layout = new ConfigurationLayout(ConfigurationLayout.DEFAULT_PREFIX, 0);
      raw.sync().hset(layout.itemKey(APP, "default", "default", key),
          Map.of("content", content, "tags", "{}", "version", version));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void theFinalValueWrittenAfterARestartArrives() throws Exception {
    subscriber.subscribe(ConfigurationQuery.of(APP, "default", "default", "k"), events::add);
    writer.save(SaveRequest.of(APP, item("k", "before")));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

    server.kill();
    server.start();
    saveWhenBack(item("k", "final"));

    await("the final value").atMost(RECOVERY).untilAsserted(() ->
        assertThat(events.getLast().content()).isEqualTo("final"));
    assertThat(subscriber.checkHealth().isUp()).isTrue();
  }

  @Test
  void aValueWrittenWhileTheSubscriberWasCutOffIsReportedOnReconnect() throws Exception {
    subscriber.subscribe(ConfigurationQuery.of(APP, "default", "default", "k"), events::add);
    writer.save(SaveRequest.of(APP, item("k", "before")));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

    // The new server is written to at once, by hand, most likely before the subscriber has
    // reconnected and before keyspace notifications are on again: only the re-read finds it.
    server.kill();
    server.start();
    rawHset("k", "written at once", "1");

    await("the value written during the outage").atMost(RECOVERY).untilAsserted(() ->
        assertThat(events.getLast().content()).isEqualTo("written at once"));
  }

  @Test
  void keyspaceNotificationsAreSwitchedOnAgainAfterARestart() throws Exception {
    subscriber.subscribe(ConfigurationQuery.of(APP, "default", "default", "k"), events::add);
    server.kill();
    server.start();
    saveWhenBack(item("other", "x")); // the writer is back

    await("notify-keyspace-events set again").atMost(RECOVERY).untilAsserted(() ->
        assertThat(KeyspaceEvents.missing(KeyspaceSetting.read(server.address()).value())).isEmpty());
    rawHset("k", "by hand", "7");

    await("a change made by hand after the restart").atMost(RECOVERY).untilAsserted(() ->
        assertThat(events).extracting(ConfigurationItem::content).contains("by hand"));
  }
}
