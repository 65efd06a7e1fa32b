package io.layotto.components.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.sequencer.Sequencer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of the metadata keys, bad values, and start-up against a server that is not there. */
class ZookeeperSettingsTest {

  private static ZookeeperSettings parse(Map<String, String> props) {
    return ZookeeperSettings.from(new Metadata("zk", props), ZookeeperLockStore.DEFAULT_BASE_PATH);
  }

  private static ComponentException invalid(Map<String, String> props) {
    ComponentException e = catchThrowableOfType(ComponentException.class, () -> parse(props));
    assertThat(e).isNotNull();
    assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    return e;
  }

  @Test
  void layottoKeysAndDefaults() {
    ZookeeperSettings s = parse(Map.of("zookeeperHosts", "a:2181; b:2181;", "SessionTimeout", "7", "LogInfo", "true"));
    assertThat(s.connectString()).isEqualTo("a:2181,b:2181");
    assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.logInfo()).isTrue();
    assertThat(s.password()).isNull();
    assertThat(s.basePath()).isEqualTo("/layotto/lock");

    ZookeeperSettings lower = parse(Map.of("zookeeperHosts", "a:2181", "sessionTimeout", "3s", "keyPrefixPath", "/x/y/"));
    assertThat(lower.sessionTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(lower.basePath()).isEqualTo("/x/y");
    assertThat(lower.path("lock|||app||a/b.c")).isEqualTo("/x/y/lock%7C%7C%7Capp%7C%7Ca%2Fb%2Ec");
    assertThat(parse(Map.of("zookeeperHosts", "a:2181", "keyPrefixPath", "/")).path("k")).isEqualTo("/k");
  }

  @Test
  void theLockStoreTakesMaxConcurrentCallsAndRejectsBadValuesBeforeConnecting() {
    assertThat(new ZookeeperLockStoreFactory().metadataSchema().field("maxConcurrentCalls")).isPresent();
    assertThat(new ZookeeperSequencerFactory().metadataSchema().field("maxConcurrentCalls")).isEmpty();
    for (String bad : new String[] {"0", "-3", "10001", "many"}) {
      ZookeeperLockStore store = new ZookeeperLockStore();
      Throwable thrown = catchThrowable(() -> store.init(new Metadata("zk_lock",
          Map.of("zookeeperHosts", "127.0.0.1:1", "maxConcurrentCalls", bad))));
      assertThat(thrown).as("maxConcurrentCalls %s", bad).isInstanceOf(ComponentException.class);
      assertThat(((ComponentException) thrown).kind()).isEqualTo(Kind.INVALID_ARGUMENT);
      assertThat(thrown.getMessage()).contains("maxConcurrentCalls").contains(bad).contains("zk_lock");
    }
  }

  @Test
  void badValuesNameTheKey() {
    assertThat(invalid(Map.of()).getMessage()).contains("zookeeperHosts").contains("required");
    assertThat(invalid(Map.of("zookeeperHosts", " ; ")).getMessage()).contains("zookeeperHosts");
    assertThat(invalid(Map.of("zookeeperHosts", "a:1", "sessionTimeout", "soon")).getMessage())
        .contains("sessionTimeout").contains("soon");
    assertThat(invalid(Map.of("zookeeperHosts", "a:1", "connectionTimeout", "0")).getMessage())
        .contains("connectionTimeout");
    assertThat(invalid(Map.of("zookeeperHosts", "a:1", "keyPrefixPath", "relative")).getMessage())
        .contains("keyPrefixPath").contains("relative");
    assertThat(invalid(Map.of("zookeeperHosts", "a:1", "logInfo", "maybe")).getMessage()).contains("logInfo");
  }

  @Test
  void theSchemaListsEveryKey() {
    assertThat(new ZookeeperLockStoreFactory().metadataSchema().validate(Map.of())).anyMatch(p -> p.contains("zookeeperHosts"));
    assertThat(new ZookeeperSequencerFactory().metadataSchema().field("keyPrefixPath").orElseThrow().defaultValue())
        .isEqualTo("/layotto/sequencer");
    assertThat(new ZookeeperLockStoreFactory().type()).isEqualTo("zookeeper");
  }

  @Test
  void startingWithoutAServerIsUnavailable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Metadata metadata = new Metadata("zk_down", Map.of("zookeeperHosts", "127.0.0.1:" + port, "connectionTimeout", "1s"));
    LockStore store = new ZookeeperLockStoreFactory().create();
    ComponentException e = catchThrowableOfType(ComponentException.class, () -> store.init(metadata));
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("zk_down").contains("127.0.0.1:" + port);
    assertThat(store.checkHealth().isUp()).isFalse();
    store.close();

    Sequencer sequencer = new ZookeeperSequencerFactory().create();
    ComponentException s = catchThrowableOfType(ComponentException.class, () -> sequencer.init(metadata));
    assertThat(s.kind()).isEqualTo(Kind.UNAVAILABLE);
    sequencer.close();
  }
}
