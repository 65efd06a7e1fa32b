package io.layotto.runtime.cli;

import ch.qos.logback.classic.Level;
import io.layotto.runtime.Sidecar;
import io.layotto.runtime.StartupException;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code layotto start [-c FILE]}: runs the sidecar until SIGTERM/SIGINT, then drains and stops.
 * Layotto's Istio/Envoy compatibility flags are accepted and ignored so existing manifests work.
 */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Starts the sidecar. Without -c (and without RUNTIME_CONFIG) it uses the built-in default: "
        + "gRPC on 127.0.0.1:34904, actuator on 127.0.0.1:34999, in-memory state store 'state_demo'.")
final class StartCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(StartCommand.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "${env:RUNTIME_CONFIG}",
      description = "Layotto config file (env RUNTIME_CONFIG).")
  @Nullable String configFile;

  @Option(names = "--drain-time-s", paramLabel = "SECONDS",
      description = "How long shutdown waits for in-flight calls (default: the server's graceful_timeout, else 10).")
  @Nullable Integer drainTimeSeconds;

  @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", defaultValue = "${env:LOG_LEVEL}",
      description = "Log level: trace, debug, info, warn, error, off (env LOG_LEVEL).")
  @Nullable String logLevel;

  @Option(names = {"-ll", "--logging-level"}, paramLabel = "LEVEL", defaultValue = "${env:LOGGING_LEVEL}",
      description = "Component log level, same values (env LOGGING_LEVEL).")
  @Nullable String loggingLevel;

  // Accepted for compatibility with Layotto/Istio command lines; they configure MOSN/xDS, which this
  // runtime does not have.
  @Option(names = {"-s", "--service-cluster"}, hidden = true) @Nullable String serviceCluster;
  @Option(names = {"-n", "--service-node"}, hidden = true) @Nullable String serviceNode;
  @Option(names = {"-p", "--service-type"}, hidden = true) @Nullable String serviceType;
  @Option(names = {"-sm", "--service-meta"}, hidden = true) @Nullable List<String> serviceMeta;
  @Option(names = {"-sl", "--service-lables"}, hidden = true) @Nullable List<String> serviceLabels;
  @Option(names = {"-domain", "--cluster-domain"}, hidden = true) @Nullable List<String> clusterDomain;
  @Option(names = {"-pns", "--pod-namespace"}, hidden = true) @Nullable String podNamespace;
  @Option(names = {"-pn", "--pod-name"}, hidden = true) @Nullable String podName;
  @Option(names = {"-pi", "--pod-ip"}, hidden = true) @Nullable String podIp;
  @Option(names = {"-f", "--feature-gates"}, hidden = true) @Nullable String featureGates;
  @Option(names = {"-lp", "--logging-path"}, hidden = true) @Nullable String loggingPath;
  @Option(names = {"-lf", "--log-format"}, hidden = true) @Nullable String logFormat;
  @Option(names = {"-lc", "--component-log-level"}, hidden = true) @Nullable String componentLogLevel;
  @Option(names = "--local-address-ip-version", hidden = true) @Nullable String localAddressIpVersion;
  @Option(names = "--restart-epoch", hidden = true) @Nullable String restartEpoch;
  @Option(names = "--parent-shutdown-time-s", hidden = true) @Nullable String parentShutdownTime;
  @Option(names = "--max-obj-name-len", hidden = true) @Nullable String maxObjNameLen;
  @Option(names = "--concurrency", hidden = true) @Nullable String concurrency;
  @Option(names = "--log-format-prefix-with-location", hidden = true, arity = "0..1") @Nullable String logPrefix;
  @Option(names = "--bootstrap-version", hidden = true) @Nullable String bootstrapVersion;
  @Option(names = "--drain-strategy", hidden = true) @Nullable String drainStrategy;
  @Option(names = "--disable-hot-restart", hidden = true, arity = "0..1") @Nullable String disableHotRestart;

  @Override
  public Integer call() {
    try {
      applyLogLevel(loggingLevel != null ? loggingLevel : logLevel);
      RuntimeConfig config;
      if (configFile == null || configFile.isBlank()) {
        log.info("no -c/--config and no RUNTIME_CONFIG: using the built-in default config");
        config = ConfigLoader.loadDefault();
      } else {
        config = ConfigLoader.load(Path.of(configFile));
      }
      if (drainTimeSeconds != null) {
        config = config.withDrainTimeout(Duration.ofSeconds(Math.max(0, drainTimeSeconds)));
      }
      // The handlers go in before start-up ends, so a SIGTERM right after "listening" still drains.
      AtomicReference<@Nullable Sidecar> running = new AtomicReference<>();
      stopOnSignal("TERM", 143, running);
      stopOnSignal("INT", 130, running);
      // Any other exit (System.exit elsewhere, last non-daemon thread) still closes the components.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        Sidecar sidecar = running.get();
        if (sidecar != null) {
          sidecar.close();
        }
      }, "layotto-shutdown"));
      Sidecar sidecar = Sidecar.start(config, running::set);
      sidecar.awaitTermination();
      return 0;
    } catch (StartupException e) {
      log.debug("start-up failed", e);
      spec.commandLine().getErr().println("layotto: start-up failed: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * SIGTERM/SIGINT is how a sidecar is normally stopped: drain and close, then exit 0 instead of the
   * JVM's signal status (143/130), which orchestrators read as a crash. Exiting through
   * {@code System.exit} (not {@code halt}) lets the other shutdown hooks run, e.g. a JFR
   * recording's {@code dumponexit} and the log appenders' flush.
   */
  private static void stopOnSignal(String name, int statusBeforeServing, AtomicReference<@Nullable Sidecar> running) {
    Signal.handle(new Signal(name), signal -> {
      Sidecar sidecar = running.get();
      if (sidecar == null) {
        System.exit(statusBeforeServing);
        return;
      }
      sidecar.close();
      System.exit(0);
    });
  }

  private void applyLogLevel(@Nullable String level) {
    if (level == null || level.isBlank()) {
      return;
    }
    Level logback = switch (level.trim().toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.TRACE;
      case "debug" -> Level.DEBUG;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARN;
      case "error", "critical", "fatal" -> Level.ERROR;
      case "off" -> Level.OFF;
      default -> throw new StartupException("unknown log level '" + level
          + "'; allowed: trace, debug, info, warn, error, off");
    };
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(logback);
    }
  }
}
