package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
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

/** A subscriber on a private etcd that is SIGKILLed and restarted (data kept): no change is lost. */
class EtcdConfigurationRestartTest {

  private static final Duration RECOVERY = Duration.ofSeconds(60);

  private PrivateEtcdServer server;
  private ConfigurationStore subscriber;
  private ConfigurationStore writer;
  private final List<ConfigurationItem> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new PrivateEtcdServer();
    server.start();
    subscriber = open();
    writer = open();
  }

  private ConfigurationStore open() {
    ConfigurationStore store = new EtcdConfigurationStoreFactory().create();
    store.init(new Metadata("restart_test", Map.of(EtcdSettings.ENDPOINTS, server.endpoint(),
        EtcdSettings.REQUEST_TIMEOUT, "2s")));
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

  @Test
  void everyChangeMadeAfterARestartArrivesAndNothingIsRepeated() throws Exception {
    subscriber.subscribe(ConfigurationQuery.of("app", "default", "default", "k"), events::add);
    writer.save(SaveRequest.of("app", item("k", "before")));
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

    server.kill();
    Throwable down = catchThrowable(() -> writer.save(SaveRequest.of("app", item("k", "during"))));
    assertThat(down).isInstanceOfSatisfying(ComponentException.class,
        e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE));
    server.start();
    await("a save succeeding after the restart").atMost(RECOVERY).pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e instanceof ComponentException)
        .until(() -> {
          writer.save(SaveRequest.of("app", item("k", "after-1")));
          return true;
        });
    writer.save(SaveRequest.of("app", item("k", "final")));

    await("the final value").atMost(RECOVERY).untilAsserted(() ->
        assertThat(events.getLast().content()).isEqualTo("final"));
    assertThat(events).extracting(ConfigurationItem::content).containsSubsequence("before", "after-1", "final")
        .doesNotHaveDuplicates();
    assertThat(subscriber.checkHealth().isUp()).isTrue();
  }

  @Test
  void unreachableEtcdFailsInitAsUnavailable() throws Exception {
    server.kill();
    Throwable thrown = catchThrowable(this::open);
    assertThat(thrown).isInstanceOfSatisfying(ComponentException.class, e -> {
      assertThat(e.kind()).isEqualTo(ComponentException.Kind.UNAVAILABLE);
      assertThat(e.getMessage()).contains(server.endpoint());
    });
  }
}
