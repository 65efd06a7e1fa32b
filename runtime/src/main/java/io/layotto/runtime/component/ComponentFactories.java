package io.layotto.runtime.component;

import io.layotto.runtime.StartupException;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import io.layotto.spi.lock.LockStoreFactory;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.state.StateStoreFactory;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The component factories on the classpath, by building block and type name. */
public final class ComponentFactories {

  private final Map<String, StateStoreFactory> stateFactories;
  private final Map<String, PubSubFactory> pubSubFactories;
  private final Map<String, LockStoreFactory> lockFactories;
  private final Map<String, SequencerFactory> sequencerFactories;
  private final Map<String, ConfigurationStoreFactory> configurationFactories;

  private ComponentFactories(Map<String, StateStoreFactory> stateFactories,
      Map<String, PubSubFactory> pubSubFactories, Map<String, LockStoreFactory> lockFactories,
      Map<String, SequencerFactory> sequencerFactories,
      Map<String, ConfigurationStoreFactory> configurationFactories) {
    this.stateFactories = Collections.unmodifiableMap(new TreeMap<>(stateFactories));
    this.pubSubFactories = Collections.unmodifiableMap(new TreeMap<>(pubSubFactories));
    this.lockFactories = Collections.unmodifiableMap(new TreeMap<>(lockFactories));
    this.sequencerFactories = Collections.unmodifiableMap(new TreeMap<>(sequencerFactories));
    this.configurationFactories = Collections.unmodifiableMap(new TreeMap<>(configurationFactories));
  }

  /**
   * Finds every factory listed in {@code META-INF/services}.
   *
   * @throws StartupException when two factories of one building block declare the same type
   */
  public static ComponentFactories discover(ClassLoader classLoader) {
    return of(ServiceLoader.load(StateStoreFactory.class, classLoader).stream()
            .map(ServiceLoader.Provider::get).toList(),
        ServiceLoader.load(PubSubFactory.class, classLoader).stream().map(ServiceLoader.Provider::get).toList(),
        ServiceLoader.load(LockStoreFactory.class, classLoader).stream().map(ServiceLoader.Provider::get).toList())
        .withSequencers(ServiceLoader.load(SequencerFactory.class, classLoader).stream()
            .map(ServiceLoader.Provider::get).toList())
        .withConfigurationStores(ServiceLoader.load(ConfigurationStoreFactory.class, classLoader).stream()
            .map(ServiceLoader.Provider::get).toList());
  }

  /** These factories plus the given sequencer factories (replacing any known before). */
  public ComponentFactories withSequencers(List<SequencerFactory> factories) {
    return new ComponentFactories(stateFactories, pubSubFactories, lockFactories,
        byType(factories, "sequencer", SequencerFactory::type), configurationFactories);
  }

  /** These factories plus the given configuration store factories (replacing any before). */
  public ComponentFactories withConfigurationStores(List<ConfigurationStoreFactory> factories) {
    return new ComponentFactories(stateFactories, pubSubFactories, lockFactories, sequencerFactories,
        byType(factories, "configuration store", ConfigurationStoreFactory::type));
  }

  /** The state store factories given and no pub/sub factory, e.g. in tests. */
  public static ComponentFactories of(List<StateStoreFactory> stateFactories) {
    return of(stateFactories, List.of());
  }

  /** The factories given, e.g. in tests. */
  public static ComponentFactories of(List<StateStoreFactory> stateFactories, List<PubSubFactory> pubSubFactories) {
    return of(stateFactories, pubSubFactories, List.of());
  }

  /** The factories given, lock stores included, e.g. in tests. */
  public static ComponentFactories of(List<StateStoreFactory> stateFactories, List<PubSubFactory> pubSubFactories,
      List<LockStoreFactory> lockFactories) {
    return new ComponentFactories(byType(stateFactories, "state store", StateStoreFactory::type),
        byType(pubSubFactories, "pub/sub", PubSubFactory::type),
        byType(lockFactories, "lock store", LockStoreFactory::type), Map.of(), Map.of());
  }

  private static <F> Map<String, F> byType(List<F> factories, String kind,
      java.util.function.Function<F, String> type) {
    Map<String, F> byType = new TreeMap<>();
    for (F f : factories) {
      F previous = byType.putIfAbsent(type.apply(f), f);
      if (previous != null) {
        throw new StartupException("two " + kind + " factories declare type '" + type.apply(f) + "': "
            + previous.getClass().getName() + " and " + f.getClass().getName()
            + "; remove one of their jars from the classpath");
      }
    }
    return byType;
  }

  public Optional<StateStoreFactory> stateStore(String type) {
    return Optional.ofNullable(stateFactories.get(type));
  }

  public Optional<PubSubFactory> pubSub(String type) {
    return Optional.ofNullable(pubSubFactories.get(type));
  }

  public Optional<LockStoreFactory> lockStore(String type) {
    return Optional.ofNullable(lockFactories.get(type));
  }

  /** Known lock store types, sorted. */
  public List<String> lockStoreTypes() {
    return List.copyOf(lockFactories.keySet());
  }

  public Optional<SequencerFactory> sequencer(String type) {
    return Optional.ofNullable(sequencerFactories.get(type));
  }

  /** Known sequencer types, sorted. */
  public List<String> sequencerTypes() {
    return List.copyOf(sequencerFactories.keySet());
  }

  public Optional<ConfigurationStoreFactory> configurationStore(String type) {
    return Optional.ofNullable(configurationFactories.get(type));
  }

  /** Known configuration store types, sorted. */
  public List<String> configurationStoreTypes() {
    return List.copyOf(configurationFactories.keySet());
  }

  /** Known pub/sub types, sorted. */
  public List<String> pubSubTypes() {
    return List.copyOf(pubSubFactories.keySet());
  }

  /** Known state store types, sorted. */
  public List<String> stateStoreTypes() {
    return List.copyOf(stateFactories.keySet());
  }
}
