package io.layotto.runtime.component;

import io.layotto.spi.Component;
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
  private final List<ComponentInfo> infos;

  public LoadedComponents(String appId, Map<String, StateStore> stateStores, List<ComponentInfo> infos) {
    this.appId = appId;
    this.stateStores = Collections.unmodifiableMap(new LinkedHashMap<>(stateStores));
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

  /** Every component, in config order. */
  public List<ComponentInfo> infos() {
    return infos;
  }

  /** Every component instance by name, for health checks. */
  public Map<String, Component> all() {
    Map<String, Component> all = new LinkedHashMap<>(stateStores);
    return Collections.unmodifiableMap(all);
  }

  /** Closes every component in reverse start-up order; never throws. */
  @Override
  public void close() {
    List<Component> reversed = new ArrayList<>(all().values());
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
