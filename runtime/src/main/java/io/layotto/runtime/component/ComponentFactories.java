package io.layotto.runtime.component;

import io.layotto.runtime.StartupException;
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

  private ComponentFactories(Map<String, StateStoreFactory> stateFactories) {
    this.stateFactories = Collections.unmodifiableMap(new TreeMap<>(stateFactories));
  }

  /**
   * Finds every factory listed in {@code META-INF/services}.
   *
   * @throws StartupException when two factories of one building block declare the same type
   */
  public static ComponentFactories discover(ClassLoader classLoader) {
    return of(ServiceLoader.load(StateStoreFactory.class, classLoader).stream()
        .map(ServiceLoader.Provider::get).toList());
  }

  /** The factories given, e.g. in tests. */
  public static ComponentFactories of(List<StateStoreFactory> stateFactories) {
    Map<String, StateStoreFactory> byType = new TreeMap<>();
    for (StateStoreFactory f : stateFactories) {
      StateStoreFactory previous = byType.putIfAbsent(f.type(), f);
      if (previous != null) {
        throw new StartupException("two state store factories declare type '" + f.type() + "': "
            + previous.getClass().getName() + " and " + f.getClass().getName()
            + "; remove one of their jars from the classpath");
      }
    }
    return new ComponentFactories(byType);
  }

  public Optional<StateStoreFactory> stateStore(String type) {
    return Optional.ofNullable(stateFactories.get(type));
  }

  /** Known state store types, sorted. */
  public List<String> stateStoreTypes() {
    return List.copyOf(stateFactories.keySet());
  }
}
