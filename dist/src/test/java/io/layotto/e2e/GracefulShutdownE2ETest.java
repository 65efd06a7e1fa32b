package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import io.layotto.e2e.harness.HttpReply;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM drains and exits 0 within the bound, releasing its ports so a fresh sidecar can take them. */
@ExtendWith(SidecarLogsOnFailure.class)
class GracefulShutdownE2ETest {

  @Test
  void sigtermExitsCleanlyAndTheSamePortsServeAgain() throws Exception {
    SidecarConfig config = SidecarConfig.defaults().withInMemoryStore("mem_store").withRedisStore("redis_store", 6379);
    SidecarPorts ports = SidecarPorts.free();
    String key = "e2e-shutdown-" + UUID.randomUUID();

    try (SidecarProcess first = SidecarProcess.start(Launcher.mainClass(), config, ports)) {
      saveAndRead(ports, "redis_store", key, "first");
      long start = System.nanoTime();
      int exit = first.terminate();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(exit).as("exit code after SIGTERM\n%s", first.logs()).isZero();
      assertThat(took).isLessThan(SidecarProcess.STOP_TIMEOUT);
      assertThat(HttpReply.get(ports.actuator(), "/actuator/health/liveness").status())
          .isEqualTo(HttpReply.UNREACHABLE_STATUS);
    }

    try (SidecarProcess second = SidecarProcess.start(Launcher.mainClass(), config, ports)) {
      assertThat(readString(ports, "redis_store", key)).isEqualTo("first");
      saveAndRead(ports, "mem_store", key, "second");
      second.stop();
    }
  }

  private static void saveAndRead(SidecarPorts ports, String store, String key, String value) throws Exception {
    try (DaprClient dapr = client(ports)) {
      dapr.saveState(store, key, value).block(Duration.ofSeconds(20));
      assertThat(dapr.getState(store, key, String.class).block(Duration.ofSeconds(20)).getValue()).isEqualTo(value);
    }
  }

  private static String readString(SidecarPorts ports, String store, String key) throws Exception {
    try (DaprClient dapr = client(ports)) {
      return dapr.getState(store, key, String.class).block(Duration.ofSeconds(20)).getValue();
    }
  }

  private static DaprClient client(SidecarPorts ports) {
    return new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(ports.grpc()))
        .build();
  }
}
