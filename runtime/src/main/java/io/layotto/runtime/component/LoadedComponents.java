package io.layotto.runtime.component;

import io.layotto.runtime.pubsub.DeliveryShutdown;
import io.layotto.runtime.pubsub.PubSubOptions;
import io.layotto.runtime.sequencer.SequencerOptions;
import io.layotto.spi.Component;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.state.StateStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The initialised components of a running sidecar, by building block and configured name. Built
 * once at start-up and never changed; the gRPC APIs and the actuator read it, the sidecar closes it.
 */
public final class LoadedComponents implements AutoCloseable {

  private final String appId;
  private final Map<String, StateStore> stateStores;
  private final Map<String, String> stateKeyPrefixes;
  private final Map<String, String> hellos;
  private final List<ComponentInfo> infos;
  private final Map<String, PubSub> pubSubs;
  private final Map<String, PubSubOptions> pubSubOptions;
  private final DeliveryShutdown deliveries = new DeliveryShutdown();
  private final Map<String, LockStore> locks;
  private final Map<String, String> lockKeyPrefixes;
  private final Map<String, Sequencer> sequencers;
  private final Map<String, SequencerOptions> sequencerOptions;
  private final Map<String, ConfigurationStore> configurationStores;

  /**
   * @param stateKeyPrefixes per state store, the raw runtime-level {@code keyPrefix} metadata value
   *     ({@code appid}, {@code name}, {@code none} or a literal prefix); absent means {@code none}
   * @param hellos the {@code hellos} section: component name to greeting
   */
  public LoadedComponents(String appId, Map<String, StateStore> stateStores, Map<String, String> stateKeyPrefixes,
      Map<String, String> hellos, List<ComponentInfo> infos) {
    this(appId, stateStores, stateKeyPrefixes, hellos, infos, Map.of(), Map.of());
  }

  /**
   * @param pubSubs the initialised {@code pub_subs} components by name, in config order
   * @param pubSubOptions the runtime-level settings of each of them
   */
  public LoadedComponents(String appId, Map<String, StateStore> stateStores, Map<String, String> stateKeyPrefixes,
      Map<String, String> hellos, List<ComponentInfo> infos, Map<String, PubSub> pubSubs,
      Map<String, PubSubOptions> pubSubOptions) {
    this(appId, stateStores, stateKeyPrefixes, hellos, infos, pubSubs, pubSubOptions, Map.of(), Map.of());
  }

  /**
   * @param locks the initialised {@code lock} components by name, in config order
   * @param lockKeyPrefixes per lock store, the lower-cased {@code keyPrefix} strategy ({@code appid}
   *     when not configured)
   */
  public LoadedComponents(String appId, Map<String, StateStore> stateStores, Map<String, String> stateKeyPrefixes,
      Map<String, String> hellos, List<ComponentInfo> infos, Map<String, PubSub> pubSubs,
      Map<String, PubSubOptions> pubSubOptions, Map<String, LockStore> locks, Map<String, String> lockKeyPrefixes) {
    this(appId, stateStores, stateKeyPrefixes, hellos, infos, pubSubs, pubSubOptions, locks, lockKeyPrefixes,
        Map.of(), Map.of());
  }

  /**
   * @param sequencers the initialised {@code sequencer} components by name, in config order
   * @param sequencerOptions the runtime-level settings of each of them
   */
  public LoadedComponents(String appId, Map<String, StateStore> stateStores, Map<String, String> stateKeyPrefixes,
      Map<String, String> hellos, List<ComponentInfo> infos, Map<String, PubSub> pubSubs,
      Map<String, PubSubOptions> pubSubOptions, Map<String, LockStore> locks, Map<String, String> lockKeyPrefixes,
      Map<String, Sequencer> sequencers, Map<String, SequencerOptions> sequencerOptions) {
    this(appId, stateStores, stateKeyPrefixes, hellos, infos, pubSubs, pubSubOptions, locks, lockKeyPrefixes,
        sequencers, sequencerOptions, Map.of());
  }

  private LoadedComponents(String appId, Map<String, StateStore> stateStores, Map<String, String> stateKeyPrefixes,
      Map<String, String> hellos, List<ComponentInfo> infos, Map<String, PubSub> pubSubs,
      Map<String, PubSubOptions> pubSubOptions, Map<String, LockStore> locks, Map<String, String> lockKeyPrefixes,
      Map<String, Sequencer> sequencers, Map<String, SequencerOptions> sequencerOptions,
      Map<String, ConfigurationStore> configurationStores) {
    this.locks = Collections.unmodifiableMap(new LinkedHashMap<>(locks));
    this.lockKeyPrefixes = Map.copyOf(lockKeyPrefixes);
    this.sequencers = Collections.unmodifiableMap(new LinkedHashMap<>(sequencers));
    this.sequencerOptions = Map.copyOf(sequencerOptions);
    this.configurationStores = Collections.unmodifiableMap(new LinkedHashMap<>(configurationStores));
    this.pubSubs = Collections.unmodifiableMap(new LinkedHashMap<>(pubSubs));
    this.pubSubOptions = Map.copyOf(pubSubOptions);
    this.appId = appId;
    this.stateStores = Collections.unmodifiableMap(new LinkedHashMap<>(stateStores));
    this.stateKeyPrefixes = Map.copyOf(stateKeyPrefixes);
    this.hellos = Collections.unmodifiableMap(new LinkedHashMap<>(hellos));
    this.infos = List.copyOf(infos);
  }

  /** {@code grpc_config.app.app_id}; empty when not configured. */
  public String appId() {
    return appId;
  }

  public Optional<StateStore> stateStore(String name) {
    return Optional.ofNullable(stateStores.get(name));
  }

  /** Configured state store names, in config order. */
  public Set<String> stateStoreNames() {
    return stateStores.keySet();
  }

  /** The raw {@code keyPrefix} setting of a state store, {@code none} when not set. */
  public String stateKeyPrefix(String storeName) {
    return stateKeyPrefixes.getOrDefault(storeName, "none");
  }

  public Optional<PubSub> pubSub(String name) {
    return Optional.ofNullable(pubSubs.get(name));
  }

  /** Configured pub/sub names, in config order. */
  public Set<String> pubSubNames() {
    return pubSubs.keySet();
  }

  /** The runtime-level settings of a configured pub/sub. */
  public PubSubOptions pubSubOptions(String name) {
    PubSubOptions options = pubSubOptions.get(name);
    if (options == null) {
      throw new IllegalArgumentException("no pub/sub named " + name);
    }
    return options;
  }

  /** The pub/sub deliveries made over these components, stopped together before they close. */
  public DeliveryShutdown deliveries() {
    return deliveries;
  }

  public Optional<LockStore> lockStore(String name) {
    return Optional.ofNullable(locks.get(name));
  }

  /** Configured lock store names, in config order. */
  public Set<String> lockStoreNames() {
    return locks.keySet();
  }

  /** The {@code keyPrefix} strategy of a lock store; {@code appid} when not set, as in Layotto. */
  public String lockKeyPrefix(String storeName) {
    return lockKeyPrefixes.getOrDefault(storeName, "appid");
  }

  public Optional<Sequencer> sequencer(String name) {
    return Optional.ofNullable(sequencers.get(name));
  }

  /** Configured sequencer names, in config order. */
  public Set<String> sequencerNames() {
    return sequencers.keySet();
  }

  /** The runtime-level settings of a configured sequencer. */
  public SequencerOptions sequencerOptions(String name) {
    SequencerOptions options = sequencerOptions.get(name);
    if (options == null) {
      throw new IllegalArgumentException("no sequencer named " + name);
    }
    return options;
  }

  /** The same components plus the initialised {@code config_store} components, by name in config order. */
  public LoadedComponents withConfigurationStores(Map<String, ConfigurationStore> stores) {
    return new LoadedComponents(appId, stateStores, stateKeyPrefixes, hellos, infos, pubSubs, pubSubOptions, locks,
        lockKeyPrefixes, sequencers, sequencerOptions, stores);
  }

  public Optional<ConfigurationStore> configurationStore(String name) {
    return Optional.ofNullable(configurationStores.get(name));
  }

  /** Configured configuration store names, in config order. */
  public Set<String> configurationStoreNames() {
    return configurationStores.keySet();
  }

  /** Greeting per {@code hellos} component name, for {@code SayHello}. */
  public Map<String, String> hellos() {
    return hellos;
  }

  /** Every component, in config order. */
  public List<ComponentInfo> infos() {
    return infos;
  }

  /**
   * Every component instance by name, for health checks. A pub/sub named like a state store is
   * left out (names are the keys of the readiness report).
   */
  public Map<String, Component> all() {
    Map<String, Component> all = new LinkedHashMap<>(stateStores);
    pubSubs.forEach(all::putIfAbsent);
    locks.forEach(all::putIfAbsent);
    sequencers.forEach(all::putIfAbsent);
    configurationStores.forEach(all::putIfAbsent);
    return Collections.unmodifiableMap(all);
  }

  /** Stops pub/sub delivery, then closes every component in reverse start-up order; never throws. */
  @Override
  public void close() {
    deliveries.stop(); // no subscription may ack on a closed connection
    List<Component> reversed = new ArrayList<>(stateStores.values());
    reversed.addAll(pubSubs.values());
    reversed.addAll(locks.values());
    reversed.addAll(sequencers.values());
    reversed.addAll(configurationStores.values());
    Collections.reverse(reversed);
    for (Component c : reversed) {
      try {
        c.close();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(LoadedComponents.class).warn("closing component failed", e);
      }
    }
  }
}
