package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.e2e.harness.HttpReply;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue parts 3 and 9, start-up side: a bad config file makes {@code layotto start} exit non-zero by
 * itself with a message on stderr that names the file and the JSON path (and the allowed values),
 * without a stack trace, and without leaving a listener behind.
 */
class BadConfigE2ETest {

  private static final Duration EXIT_BOUND = Duration.ofSeconds(60);
  /** Where Layotto keeps the component sections, as a JSON path into the generated config file. */
  private static final String GRPC_CONFIG_PATH =
      "$.servers[0].listeners[0].filter_chains[0].filters[0].config.grpc_config";

  @Test
  void malformedJsonNamesTheFileAndTheLocation() {
    SidecarPorts ports = SidecarPorts.free();
    String valid = SidecarConfig.defaults().withInMemoryStore("mem_store").toJson(ports);
    String truncated = valid.substring(0, valid.indexOf("\"state\"")) + "\"state\": { \"mem_store\": { \"type\": ";

    Failure failure = startExpectingFailure(truncated, ports);

    assertThat(failure.stderr()).contains(failure.configFile()).containsIgnoringCase("line");
  }

  @Test
  void unknownComponentTypeNamesThePathAndTheAllowedTypes() {
    SidecarPorts ports = SidecarPorts.free();
    Failure failure = startExpectingFailure(SidecarConfig.defaults()
        .withStateStore("broken_store", "no-such-database", Map.of())
        .toJson(ports), ports);

    assertThat(failure.stderr())
        .contains(failure.configFile())
        .contains(GRPC_CONFIG_PATH + ".state.broken_store.type")
        .contains("no-such-database")
        .contains("in-memory")
        .contains("redis");
  }

  @Test
  void missingRequiredMetadataNamesTheKey() {
    SidecarPorts ports = SidecarPorts.free();
    Failure failure = startExpectingFailure(SidecarConfig.defaults()
        .withInMemoryStore("good_store")
        .withStateStore("hostless_redis", "redis", Map.of("redisPassword", ""))
        .toJson(ports), ports);

    assertThat(failure.stderr())
        .contains(failure.configFile())
        .contains(GRPC_CONFIG_PATH + ".state.hostless_redis.metadata")
        .contains("redisHost");
  }

  private record Failure(String configFile, String stderr) {}

  private static Failure startExpectingFailure(String configText, SidecarPorts ports) {
    try (SidecarProcess sidecar = SidecarProcess.launch(Launcher.mainClass(), configText, ports)) {
      int exit = sidecar.awaitExit(EXIT_BOUND);
      String stderr = sidecar.stderr();
      assertThat(exit).as("exit code\n%s", sidecar.logs()).isNotZero();
      assertThat(stderr).as("stderr").doesNotContain("\tat ").doesNotContain("at io.").doesNotContain("Exception:");
      // nothing half-started: the actuator never stays up after a failed start
      assertThat(HttpReply.get(ports.actuator(), "/actuator/health/liveness").status())
          .isEqualTo(HttpReply.UNREACHABLE_STATUS);
      return new Failure(sidecar.configFile().toString(), stderr);
    }
  }
}
