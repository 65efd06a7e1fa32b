package io.layotto.runtime.cli;

import io.layotto.runtime.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code layotto} command. With no sub-command it prints the usage, like Layotto. */
@Command(name = "layotto", mixinStandardHelpOptions = true, versionProvider = LayottoMain.VersionProvider.class,
    description = "Application runtime sidecar serving Layotto's and Dapr's gRPC APIs over pluggable components.",
    subcommands = {StartCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class LayottoMain implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new LayottoMain());
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** For {@code --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Layotto for Java " + Version.current()};
    }
  }
}
