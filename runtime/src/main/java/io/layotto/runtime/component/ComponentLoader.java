package io.layotto.runtime.component;

import io.layotto.runtime.config.ComponentConfig;
import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.config.ConfigException.Problem;
import io.layotto.runtime.config.HelloConfig;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.netty.channel.EventLoopGroup;
import io.layotto.runtime.pubsub.PubSubOptions;
import io.layotto.runtime.config.SequencerConfig;
import io.layotto.runtime.sequencer.SequencerOptions;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.Component;
import org.jspecify.annotations.Nullable;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import io.layotto.spi.lock.LockStore;
import io.layotto.spi.lock.LockStoreFactory;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateStoreFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the configured components into running ones in two steps: {@link #plan} checks every entry
 * against its factory without touching any backend, {@link #start} then initialises them in config
 * order and closes the started ones again if one fails.
 */
public final class ComponentLoader {

  /** The only hello type: answers SayHello with the configured greeting. */
  public static final String HELLO_TYPE = "helloworld";
  /** Runtime-level state metadata: how keys are prefixed (appid, name, none or a literal). */
  public static final String KEY_PREFIX = "keyPrefix";

  private static final Logger log = LoggerFactory.getLogger(ComponentLoader.class);

  private final ComponentFactories factories;

  public ComponentLoader(ComponentFactories factories) {
    this.factories = factories;
  }

  /** A state store entry matched with its factory. */
  public record PlannedStateStore(ComponentConfig config, StateStoreFactory factory) {}

  /** A lock store entry matched with its factory. */
  public record PlannedLock(ComponentConfig config, LockStoreFactory factory) {}

  /** Lock stores prefix resource ids with the app id unless {@code keyPrefix} says otherwise, as in Layotto. */
  public static final String DEFAULT_LOCK_KEY_PREFIX = "appid";

  /** A pub/sub entry matched with its factory and its runtime-level settings. */
  public record PlannedPubSub(ComponentConfig config, PubSubFactory factory, PubSubOptions options) {}

  /** A sequencer entry matched with its factory and its runtime-level settings. */
  public record PlannedSequencer(SequencerConfig config, SequencerFactory factory, SequencerOptions options) {}

  /** A config_store entry matched with its factory. */
  public record PlannedConfigStore(ComponentConfig config, ConfigurationStoreFactory factory) {}

  /**
   * A config checked against the factories: nothing in it can fail before a backend is contacted.
   *
   * @param warnings unknown metadata keys and the like, to log at start-up
   */
  public record Plan(RuntimeConfig config, List<PlannedStateStore> stateStores, List<PlannedPubSub> pubSubs,
      List<PlannedLock> locks, List<PlannedSequencer> sequencers, List<PlannedConfigStore> configStores,
      List<ComponentInfo> infos, List<String> warnings) {
    public Plan {
      stateStores = List.copyOf(stateStores);
      pubSubs = List.copyOf(pubSubs);
      locks = List.copyOf(locks);
      sequencers = List.copyOf(sequencers);
      configStores = List.copyOf(configStores);
      infos = List.copyOf(infos);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Checks component types, metadata and key prefixes.
   *
   * @throws ConfigException listing every problem, each with its JSON path and the allowed values
   */
  public Plan plan(RuntimeConfig config) {
    List<Problem> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (HelloConfig hello : config.hellos().values()) {
      if (!hello.type().equals(HELLO_TYPE)) {
        problems.add(new Problem(hello.path() + ".type", "unknown hellos type '" + hello.type()
            + "'; available: " + HELLO_TYPE));
      }
    }
    List<PlannedStateStore> stores = new ArrayList<>();
    List<ComponentInfo> infos = new ArrayList<>();
    for (ComponentConfig store : config.stateStores().values()) {
      var factory = factories.stateStore(store.type());
      if (factory.isEmpty()) {
        List<String> types = factories.stateStoreTypes();
        problems.add(new Problem(store.path() + ".type", "unknown state type '" + store.type() + "'; available: "
            + (types.isEmpty() ? "none (no state store component on the classpath)" : String.join(", ", types))));
        continue;
      }
      for (String problem : factory.get().metadataSchema().validate(store.metadata())) {
        problems.add(new Problem(store.path() + ".metadata", problem));
      }
      String keyPrefix = store.metadata().get(KEY_PREFIX);
      if (keyPrefix != null) {
        String strategy = keyPrefix.trim().toLowerCase(Locale.ROOT);
        String resolved = switch (strategy) {
          case "appid" -> config.app().appId();
          case "name" -> store.name();
          default -> strategy;
        };
        if (resolved.contains("||")) {
          problems.add(new Problem(store.path() + ".metadata." + KEY_PREFIX, "is '" + keyPrefix + "'"
              + (resolved.equals(strategy) ? "" : ", which resolves to '" + resolved + "'")
              + ", which must not contain '||'; allowed: appid, name, none or a literal prefix without '||'"));
        }
      }
      Set<String> unknown = new TreeSet<>(factory.get().metadataSchema().unknownKeys(store.metadata()));
      unknown.remove(KEY_PREFIX);
      if (!unknown.isEmpty()) {
        warnings.add("state '" + store.name() + "' (type " + store.type() + "): metadata " + unknown
            + " not understood by this component type, ignored");
      }
      stores.add(new PlannedStateStore(store, factory.get()));
      infos.add(new ComponentInfo(store.name(), BuildingBlock.STATE, store.type(),
          capabilities(factory.get().capabilities())));
    }
    List<PlannedPubSub> pubSubs = new ArrayList<>();
    for (ComponentConfig pubSub : config.pubSubs().values()) {
      var factory = factories.pubSub(pubSub.type());
      if (factory.isEmpty()) {
        List<String> types = factories.pubSubTypes();
        problems.add(new Problem(pubSub.path() + ".type", "unknown pub_subs type '" + pubSub.type()
            + "'; available: " + (types.isEmpty() ? "none (no pub/sub component on the classpath)"
            : String.join(", ", types))));
        continue;
      }
      List<String> pubSubProblems = new ArrayList<>(factory.get().metadataSchema().validate(pubSub.metadata()));
      pubSubProblems.addAll(PubSubOptions.validate(pubSub.metadata()));
      for (String problem : pubSubProblems) {
        problems.add(new Problem(pubSub.path() + ".metadata", problem));
      }
      if (!pubSubProblems.isEmpty()) {
        continue;
      }
      Set<String> unknown = new TreeSet<>(factory.get().metadataSchema().unknownKeys(pubSub.metadata()));
      unknown.removeAll(PubSubOptions.runtimeKeys());
      if (!unknown.isEmpty()) {
        warnings.add("pub_subs '" + pubSub.name() + "' (type " + pubSub.type() + "): metadata " + unknown
            + " not understood by this component type, ignored");
      }
      pubSubs.add(new PlannedPubSub(pubSub, factory.get(),
          PubSubOptions.of(pubSub.name(), pubSub.metadata(), config.app().appId())));
      infos.add(new ComponentInfo(pubSub.name(), BuildingBlock.PUBSUB, pubSub.type(),
          capabilities(factory.get().capabilities())));
    }
    List<PlannedLock> locks = planLocks(config, problems, warnings, infos);
    List<PlannedSequencer> sequencers = planSequencers(config, problems, warnings, infos);
    List<PlannedConfigStore> configStores = planConfigStores(config, problems, warnings, infos);
    if (!problems.isEmpty()) {
      throw new ConfigException(config.source(), problems);
    }
    return new Plan(config, stores, pubSubs, locks, sequencers, configStores, infos, warnings);
  }

  private List<PlannedLock> planLocks(RuntimeConfig config, List<Problem> problems, List<String> warnings,
      List<ComponentInfo> infos) {
    List<PlannedLock> locks = new ArrayList<>();
    for (ComponentConfig lock : config.locks().values()) {
      var factory = factories.lockStore(lock.type());
      if (factory.isEmpty()) {
        List<String> types = factories.lockStoreTypes();
        problems.add(new Problem(lock.path() + ".type", "unknown lock type '" + lock.type() + "'; available: "
            + (types.isEmpty() ? "none (no lock component on the classpath)" : String.join(", ", types))));
        continue;
      }
      for (String problem : factory.get().metadataSchema().validate(lock.metadata())) {
        problems.add(new Problem(lock.path() + ".metadata", problem));
      }
      String keyPrefix = lock.metadata().getOrDefault(KEY_PREFIX, DEFAULT_LOCK_KEY_PREFIX);
      String strategy = keyPrefix.trim().toLowerCase(Locale.ROOT);
      String resolved = switch (strategy) {
        case "appid" -> config.app().appId();
        case "name" -> lock.name();
        default -> strategy;
      };
      if (resolved.contains("||")) {
        problems.add(new Problem(lock.path() + ".metadata." + KEY_PREFIX, "is '" + keyPrefix + "'"
            + (resolved.equals(strategy) ? "" : ", which resolves to '" + resolved + "'")
            + ", which must not contain '||'; allowed: appid (default), name, none or a literal prefix without '||'"));
      }
      Set<String> unknown = new TreeSet<>(factory.get().metadataSchema().unknownKeys(lock.metadata()));
      unknown.remove(KEY_PREFIX);
      if (!unknown.isEmpty()) {
        warnings.add("lock '" + lock.name() + "' (type " + lock.type() + "): metadata " + unknown
            + " not understood by this component type, ignored");
      }
      locks.add(new PlannedLock(lock, factory.get()));
      infos.add(new ComponentInfo(lock.name(), BuildingBlock.LOCK, lock.type(),
          capabilities(factory.get().capabilities())));
    }
    return locks;
  }

  private List<PlannedSequencer> planSequencers(RuntimeConfig config, List<Problem> problems, List<String> warnings,
      List<ComponentInfo> infos) {
    List<PlannedSequencer> planned = new ArrayList<>();
    for (SequencerConfig sequencer : config.sequencers().values()) {
      ComponentConfig component = sequencer.component();
      var factory = factories.sequencer(component.type());
      if (factory.isEmpty()) {
        List<String> types = factories.sequencerTypes();
        problems.add(new Problem(component.path() + ".type", "unknown sequencer type '" + component.type()
            + "'; available: " + (types.isEmpty() ? "none (no sequencer component on the classpath)"
            : String.join(", ", types))));
        continue;
      }
      int before = problems.size();
      for (String problem : factory.get().metadataSchema().validate(component.metadata())) {
        problems.add(new Problem(component.path() + ".metadata", problem));
      }
      for (Map.Entry<String, String> problem : SequencerOptions.validate(component.name(), component.metadata(),
          sequencer.biggerThan(), config.app().appId())) {
        problems.add(new Problem(component.path() + problem.getKey(), problem.getValue()));
      }
      if (problems.size() > before) {
        continue;
      }
      Set<String> unknown = new TreeSet<>(factory.get().metadataSchema().unknownKeys(component.metadata()));
      unknown.removeAll(SequencerOptions.runtimeKeys());
      if (!unknown.isEmpty()) {
        warnings.add("sequencer '" + component.name() + "' (type " + component.type() + "): metadata " + unknown
            + " not understood by this component type, ignored");
      }
      planned.add(new PlannedSequencer(sequencer, factory.get(), SequencerOptions.of(component.name(),
          component.metadata(), sequencer.biggerThan(), config.app().appId())));
      infos.add(new ComponentInfo(component.name(), BuildingBlock.SEQUENCER, component.type(),
          capabilities(factory.get().capabilities())));
    }
    return planned;
  }

  private List<PlannedConfigStore> planConfigStores(RuntimeConfig config, List<Problem> problems,
      List<String> warnings, List<ComponentInfo> infos) {
    List<PlannedConfigStore> configStores = new ArrayList<>();
    for (ComponentConfig store : config.configStores().values()) {
      var factory = factories.configurationStore(store.type());
      if (factory.isEmpty()) {
        List<String> types = factories.configurationStoreTypes();
        problems.add(new Problem(store.path() + ".type", "unknown config_store type '" + store.type()
            + "'; available: " + (types.isEmpty() ? "none (no configuration store component on the classpath)"
            : String.join(", ", types))));
        continue;
      }
      for (String problem : factory.get().metadataSchema().validate(store.metadata())) {
        problems.add(new Problem(store.path() + ".metadata", problem));
      }
      Set<String> unknown = factory.get().metadataSchema().unknownKeys(store.metadata());
      if (!unknown.isEmpty()) {
        warnings.add("config_store '" + store.name() + "' (type " + store.type() + "): metadata " + unknown
            + " not understood by this component type, ignored");
      }
      configStores.add(new PlannedConfigStore(store, factory.get()));
      infos.add(new ComponentInfo(store.name(), BuildingBlock.CONFIGURATION, store.type(),
          capabilities(factory.get().capabilities())));
    }
    return configStores;
  }

  /** Like {@link #start(Plan, EventLoopGroup)}, with components on threads of their own. */
  public LoadedComponents start(Plan plan) {
    return start(plan, null);
  }

  /**
   * Creates and initialises the planned components in config order. Components that
   * {@linkplain SharesEventLoops share event loops} are given {@code loops} (when not null) first.
   *
   * @throws ComponentInitException naming the component that failed; the ones started before it are
   *     closed again
   */
  public LoadedComponents start(Plan plan, @Nullable EventLoopGroup loops) {
    Map<String, StateStore> started = new LinkedHashMap<>();
    Map<String, PubSub> startedPubSubs = new LinkedHashMap<>();
    Map<String, PubSubOptions> pubSubOptions = new LinkedHashMap<>();
    Map<String, String> keyPrefixes = new LinkedHashMap<>();
    Map<String, LockStore> startedLocks = new LinkedHashMap<>();
    Map<String, String> lockKeyPrefixes = new LinkedHashMap<>();
    Map<String, Sequencer> startedSequencers = new LinkedHashMap<>();
    Map<String, SequencerOptions> sequencerOptions = new LinkedHashMap<>();
    Map<String, ConfigurationStore> startedConfigStores = new LinkedHashMap<>();
    try {
      for (PlannedStateStore planned : plan.stateStores()) {
        ComponentConfig config = planned.config();
        StateStore store = planned.factory().create();
        try {
          lend(loops, store);
          store.init(new Metadata(config.name(), config.metadata()));
        } catch (RuntimeException e) {
          closeQuietly(store);
          throw new ComponentInitException(config.name(), "state store '" + config.name() + "' (type "
              + config.type() + ") failed to initialise: " + describe(e), e);
        }
        started.put(config.name(), store);
        String keyPrefix = config.metadata().get(KEY_PREFIX);
        if (keyPrefix != null && !keyPrefix.isBlank()) {
          // Layotto compares the strategy case-insensitively and lower-cases literal prefixes too.
          keyPrefixes.put(config.name(), keyPrefix.trim().toLowerCase(Locale.ROOT));
        }
        log.debug("state store '{}' initialised", config.name());
      }
      for (PlannedPubSub planned : plan.pubSubs()) {
        ComponentConfig config = planned.config();
        // the component sees the effective consumer group, as Layotto defaults consumerID to the app id
        Map<String, String> metadata = new LinkedHashMap<>(config.metadata());
        metadata.put(PubSubOptions.CONSUMER_ID, planned.options().consumerGroup());
        PubSub pubSub = planned.factory().create();
        try {
          lend(loops, pubSub);
          pubSub.init(new Metadata(config.name(), metadata));
        } catch (RuntimeException e) {
          closeQuietly(pubSub);
          throw new ComponentInitException(config.name(), "pub/sub '" + config.name() + "' (type "
              + config.type() + ") failed to initialise: " + describe(e), e);
        }
        startedPubSubs.put(config.name(), pubSub);
        pubSubOptions.put(config.name(), planned.options());
        log.debug("pub/sub '{}' initialised", config.name());
      }
      for (PlannedLock planned : plan.locks()) {
        ComponentConfig config = planned.config();
        LockStore lock = planned.factory().create();
        try {
          lend(loops, lock);
          lock.init(new Metadata(config.name(), config.metadata()));
        } catch (RuntimeException e) {
          closeQuietly(lock);
          throw new ComponentInitException(config.name(), "lock '" + config.name() + "' (type "
              + config.type() + ") failed to initialise: " + describe(e), e);
        }
        startedLocks.put(config.name(), lock);
        lockKeyPrefixes.put(config.name(), config.metadata().getOrDefault(KEY_PREFIX, DEFAULT_LOCK_KEY_PREFIX)
            .trim().toLowerCase(Locale.ROOT));
        log.debug("lock '{}' initialised", config.name());
      }
      for (PlannedSequencer planned : plan.sequencers()) {
        ComponentConfig config = planned.config().component();
        Sequencer sequencer = planned.factory().create();
        try {
          lend(loops, sequencer);
          sequencer.init(new Metadata(config.name(), config.metadata()), planned.options().biggerThan());
        } catch (RuntimeException e) {
          closeQuietly(sequencer);
          throw new ComponentInitException(config.name(), "sequencer '" + config.name() + "' (type "
              + config.type() + ") failed to initialise: " + describe(e), e);
        }
        startedSequencers.put(config.name(), sequencer);
        sequencerOptions.put(config.name(), planned.options());
        log.debug("sequencer '{}' initialised", config.name());
      }
      for (PlannedConfigStore planned : plan.configStores()) {
        ComponentConfig config = planned.config();
        ConfigurationStore store = planned.factory().create();
        try {
          lend(loops, store);
          store.init(new Metadata(config.name(), config.metadata()));
        } catch (RuntimeException e) {
          closeQuietly(store);
          throw new ComponentInitException(config.name(), "config_store '" + config.name() + "' (type "
              + config.type() + ") failed to initialise: " + describe(e), e);
        }
        startedConfigStores.put(config.name(), store);
        log.debug("config_store '{}' initialised", config.name());
      }
    } catch (RuntimeException e) {
      List<Component> reversed = new ArrayList<>(started.values());
      reversed.addAll(startedPubSubs.values());
      reversed.addAll(startedLocks.values());
      reversed.addAll(startedSequencers.values());
      reversed.addAll(startedConfigStores.values());
      Collections.reverse(reversed);
      reversed.forEach(ComponentLoader::closeQuietly);
      throw e;
    }
    Map<String, String> hellos = new LinkedHashMap<>();
    plan.config().hellos().forEach((name, hello) -> hellos.put(name, hello.greeting()));
    return new LoadedComponents(plan.config().app().appId(), started, keyPrefixes, hellos, plan.infos(),
        startedPubSubs, pubSubOptions, startedLocks, lockKeyPrefixes, startedSequencers, sequencerOptions)
        .withConfigurationStores(startedConfigStores);
  }

  private static void lend(@Nullable EventLoopGroup loops, Component component) {
    if (loops != null && component instanceof SharesEventLoops sharing) {
      sharing.shareEventLoops(loops);
    }
  }

  private static Set<String> capabilities(Set<? extends Enum<?>> capabilities) {
    return capabilities.stream().map(f -> f.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String describe(RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof ComponentException ? message : e.getClass().getSimpleName() + ": " + message;
  }

  private static void closeQuietly(Component component) {
    try {
      component.close();
    } catch (RuntimeException e) {
      log.warn("closing a component after a failed start-up failed", e);
    }
  }
}
