package io.layotto.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.runtime.Version;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayottoMainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return LayottoMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void versionPrintsTheBuildVersion() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).startsWith("Layotto for Java " + Version.current());
    assertThat(Version.current()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Usage: layotto").contains("start").contains("version");
  }

  @Test
  void startHelpShowsTheConfigOptionButNotTheIgnoredIstioFlags() {
    assertThat(run("start", "--help")).isZero();
    assertThat(out.toString()).contains("-c, --config=FILE").contains("RUNTIME_CONFIG").contains("--drain-time-s")
        .doesNotContain("service-cluster");
  }

  @Test
  void noArgumentsPrintsUsage() {
    assertThat(run()).isZero();
    assertThat(out.toString()).contains("Usage: layotto");
  }

  @Test
  void startWithABadConfigExitsNonZeroWithTheMessageAndNoStackTrace(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"servers\": [}");

    assertThat(run("start", "-c", file.toString(), "--service-cluster", "c", "-sm", "a=b", "--disable-hot-restart"))
        .isEqualTo(1);

    assertThat(err.toString()).startsWith("layotto: start-up failed: invalid config " + file
        + ": $: malformed JSON at line 1, column 14").doesNotContain("\tat ");
  }

  @Test
  void startWithAnUnknownComponentTypeExitsNonZero(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("c.json");
    Files.writeString(file, io.layotto.runtime.testing.TestConfigs.withGrpcConfig(
        "{\"state\": {\"foo\": {\"type\": \"redix\"}}}"));

    assertThat(run("start", "--config", file.toString())).isEqualTo(1);

    assertThat(err.toString()).contains("grpc_config.state.foo.type: unknown state type 'redix'; available: ")
        .contains("test-fake");
  }

  @Test
  void startWithAComponentThatCannotInitialiseExitsNonZero(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("c.json");
    Files.writeString(file, io.layotto.runtime.testing.TestConfigs.withGrpcConfig(
        "{\"state\": {\"broken\": {\"type\": \"test-fake\", \"metadata\": {\"failInit\": \"true\"}}}}"));

    assertThat(run("start", "-c", file.toString())).isEqualTo(1);

    assertThat(err.toString()).contains("state store 'broken' (type test-fake) failed to initialise: "
        + "cannot connect to fake backend (failInit=true)");
  }

  @Test
  void unknownLogLevelIsRejected() {
    assertThat(run("start", "-l", "loud")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown log level 'loud'; allowed: trace, debug, info, warn, error, off");
  }
}
