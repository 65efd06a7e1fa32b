package io.layotto.runtime.cli;

import io.layotto.runtime.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code layotto version}. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the version.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println("Layotto for Java " + Version.current()
        + " (Java " + Runtime.version() + ")");
    return 0;
  }
}
