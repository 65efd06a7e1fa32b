package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import io.layotto.e2e.harness.HttpReply;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue part 8: readiness follows a real backend. A private Redis is killed and restarted on the
 * same port; the sidecar's readiness goes DOWN naming the component and comes back UP by itself,
 * while liveness stays UP (restarting the sidecar would not bring Redis back).
 */
@ExtendWith(SidecarLogsOnFailure.class)
class ReadinessRedisRestartE2ETest {

  private static final String STORE = "fragile_redis";
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(15);

  @Test
  void readinessFollowsTheRedisBackendDownAndBackUp() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
        SidecarProcess sidecar = SidecarProcess.start(SidecarConfig.defaults()
            .withInMemoryStore("mem_store")
            .withRedisStore(STORE, redis.port()));
        DaprClient dapr = new DaprClientBuilder()
            .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
            .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
            .build()) {

      HttpReply ready = sidecar.readiness();
      assertThat(ready.status()).as("%s", ready).isEqualTo(200);
      assertThat(ready.json().path("status").asText()).isEqualTo("UP");
      assertThat(componentOf(ready.json(), STORE).path("status").asText()).as("%s", ready).isEqualTo("UP");
      assertInfoListsComponentsWithTypes(sidecar.info());

      redis.kill();

      await("readiness DOWN after redis died").atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> {
            HttpReply reply = sidecar.readiness();
            assertThat(reply.status()).as("%s", reply).isEqualTo(503);
            assertThat(reply.json().path("status").asText()).isEqualTo("DOWN");
            JsonNode component = componentOf(reply.json(), STORE);
            assertThat(component.path("status").asText()).as("%s", reply).isEqualTo("DOWN");
            assertThat(component.path("details").path("reason").asText()).as("%s", reply).isNotBlank();
          });
      HttpReply down = sidecar.readiness();
      assertThat(componentOf(down.json(), "mem_store").path("status").asText()).as("%s", down).isEqualTo("UP");
      assertLive(sidecar);

      redis.start();

      await("readiness UP again after redis came back").atMost(DETECTION_BOUND).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> {
            HttpReply reply = sidecar.readiness();
            assertThat(reply.status()).as("%s", reply).isEqualTo(200);
            assertThat(reply.json().path("status").asText()).isEqualTo("UP");
          });
      assertLive(sidecar);

      String key = "e2e-readiness-" + UUID.randomUUID();
      dapr.saveState(STORE, key, "after recovery").block(Duration.ofSeconds(20));
      assertThat(dapr.getState(STORE, key, String.class).block(Duration.ofSeconds(20)).getValue())
          .isEqualTo("after recovery");

      sidecar.stop();
    }
  }

  /** The health entry of one configured component (health components are keyed by component name). */
  static JsonNode componentOf(JsonNode health, String componentName) {
    return health.path("components").path(componentName);
  }

  private static void assertLive(SidecarProcess sidecar) {
    HttpReply live = sidecar.liveness();
    assertThat(live.status()).as("%s", live).isEqualTo(200);
    assertThat(live.json().path("status").asText()).isEqualTo("UP");
  }

  private static void assertInfoListsComponentsWithTypes(HttpReply info) {
    assertThat(info.status()).as("%s", info).isEqualTo(200);
    assertThat(info.json().path("app").path("app_id").asText()).as("%s", info).isEqualTo("e2e-app");
    assertThat(info.json().path("app").path("version").asText()).as("%s", info).isNotBlank();
    Map<String, String> typeByName = new HashMap<>();
    info.json().path("components").forEach(c -> typeByName.put(c.path("name").asText(), c.path("type").asText()));
    assertThat(typeByName).as("%s", info).containsEntry(STORE, "redis").containsEntry("mem_store", "in-memory");
  }
}
