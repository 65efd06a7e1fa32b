package io.layotto.e2e.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a sidecar process is started: what users run, in two forms. */
public sealed interface Launcher {

  /** The main class in a child JVM on this test JVM's classpath (which holds dist's runtime dependencies). */
  record MainClass() implements Launcher {}

  /** The assembled distribution's {@code bin/layotto} script, exactly as a user runs it. */
  record Distribution(Path home) implements Launcher {
    public Path script() {
      return home.resolve("bin").resolve("layotto");
    }
  }

  String MAIN_CLASS = "io.layotto.runtime.cli.LayottoMain";

  static Launcher mainClass() {
    return new MainClass();
  }

  /**
   * The distribution assembled by {@code package} into {@code target/layotto}. The e2e tests run in
   * failsafe (after {@code package}), so a missing launcher is a packaging bug and fails the test.
   */
  static Distribution assembledDistribution() {
    Path home = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("layotto").toAbsolutePath();
    if (!Files.isExecutable(home.resolve("bin").resolve("layotto"))) {
      throw new AssertionError("the distribution launcher " + home.resolve("bin/layotto")
          + " is missing or not executable; the e2e tests must run after `package` (mvn verify)");
    }
    return new Distribution(home);
  }

  /** The command line running {@code layotto <args>}. */
  default List<String> command(List<String> cliArgs) {
    List<String> command = new ArrayList<>();
    switch (this) {
      case MainClass m -> {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
      }
      case Distribution d -> command.add(d.script().toString());
    }
    command.addAll(cliArgs);
    return command;
  }

  /** Environment additions: the launcher script picks the JDK running these tests (a JDK >= 25). */
  default Map<String, String> environment() {
    return switch (this) {
      case MainClass m -> Map.of();
      case Distribution d -> Map.of("JAVA_HOME", System.getProperty("java.home"));
    };
  }
}
