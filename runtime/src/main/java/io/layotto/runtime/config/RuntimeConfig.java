package io.layotto.runtime.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything the sidecar needs from a config file, checked for shape and built once.
 *
 * @param source the file the config came from (or the built-in default), for messages
 * @param grpcListenerName the {@code name} of the listener carrying the {@code grpc} filter
 * @param grpcAddress where the gRPC API listens
 * @param grpcConfigPath JSON path of {@code grpc_config}, for messages about its entries
 * @param actuatorAddress where the actuator listens; null when no listener has {@code actuator_filter}
 * @param maxInboundMessageSize largest request the gRPC server accepts, in bytes
 * @param drainTimeout how long shutdown waits for in-flight calls before cancelling them
 * @param hellos {@code grpc_config.hellos}, in file order
 * @param stateStores {@code grpc_config.state}, in file order
 * @param pubSubs {@code grpc_config.pub_subs}, in file order
 * @param locks {@code grpc_config.lock}, in file order
 * @param sequencers {@code grpc_config.sequencer}, in file order
 * @param configStores {@code grpc_config.config_store}, in file order (top-level {@code address} and
 *     {@code timeout} folded into the metadata)
 * @param warnings things accepted but not acted upon (unsupported sections, ignored filters)
 * @param ignoredSettings MOSN settings without meaning here (tracing, metrics, xDS, ...)
 */
public record RuntimeConfig(
    String source,
    String grpcListenerName,
    ListenerAddress grpcAddress,
    String grpcConfigPath,
    @Nullable ListenerAddress actuatorAddress,
    int maxInboundMessageSize,
    Duration drainTimeout,
    AppConfig app,
    Map<String, HelloConfig> hellos,
    Map<String, ComponentConfig> stateStores,
    Map<String, ComponentConfig> pubSubs,
    Map<String, ComponentConfig> locks,
    Map<String, SequencerConfig> sequencers,
    Map<String, ComponentConfig> configStores,
    List<String> warnings,
    List<String> ignoredSettings) {

  /** grpc-java's own default. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  public RuntimeConfig {
    hellos = Collections.unmodifiableMap(new LinkedHashMap<>(hellos));
    stateStores = Collections.unmodifiableMap(new LinkedHashMap<>(stateStores));
    pubSubs = Collections.unmodifiableMap(new LinkedHashMap<>(pubSubs));
    locks = Collections.unmodifiableMap(new LinkedHashMap<>(locks));
    sequencers = Collections.unmodifiableMap(new LinkedHashMap<>(sequencers));
    configStores = Collections.unmodifiableMap(new LinkedHashMap<>(configStores));
    warnings = List.copyOf(warnings);
    ignoredSettings = List.copyOf(ignoredSettings);
  }

  /** The same config with another drain timeout (the CLI's {@code --drain-time-s}). */
  public RuntimeConfig withDrainTimeout(Duration timeout) {
    return new RuntimeConfig(source, grpcListenerName, grpcAddress, grpcConfigPath, actuatorAddress,
        maxInboundMessageSize, timeout, app, hellos, stateStores, pubSubs, locks, sequencers, configStores,
        warnings,
        ignoredSettings);
  }

  /** The same config listening elsewhere (tests bind port 0). */
  public RuntimeConfig withAddresses(ListenerAddress grpc, @Nullable ListenerAddress actuator) {
    return new RuntimeConfig(source, grpcListenerName, grpc, grpcConfigPath, actuator,
        maxInboundMessageSize, drainTimeout, app, hellos, stateStores, pubSubs, locks, sequencers, configStores,
        warnings,
        ignoredSettings);
  }
}
