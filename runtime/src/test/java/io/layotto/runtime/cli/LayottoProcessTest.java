package io.layotto.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.runtime.testing.Http;
import io.layotto.runtime.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layotto start} in a child JVM: it serves, and SIGTERM runs the graceful shutdown. */
class LayottoProcessTest {

  private static final Pattern ACTUATOR = Pattern.compile("actuator listening on http://127\\.0\\.0\\.1:(\\d+)/");

  private static int actuatorPort(Path log, Process process) throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException("sidecar exited: " + Files.readString(log));
    }
    Matcher m = ACTUATOR.matcher(Files.readString(log));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  @Test
  void sigtermStopsTheSidecarGracefully(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, TestConfigs.withFakeStore("state_demo", "process"));
    Path log = dir.resolve("sidecar.log");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), LayottoMain.class.getName(), "start", "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = await().atMost(Duration.ofSeconds(60)).until(() -> actuatorPort(log, process), p -> p > 0);
      assertThat(Http.get(port, "/actuator/health/readiness").status()).isEqualTo(200);

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(process.exitValue()).as("a drained SIGTERM stop exits 0\n%s", output).isZero();
    } finally {
      process.destroyForcibly();
    }
  }
}

