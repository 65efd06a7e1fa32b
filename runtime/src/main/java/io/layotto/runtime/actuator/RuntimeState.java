package io.layotto.runtime.actuator;

import io.layotto.runtime.component.ComponentInfo;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where the sidecar is in its life, as the actuator reports it. Written by the sidecar, read by the
 * actuator's threads.
 */
public final class RuntimeState {

  /** Start-up, serving, shutting down. */
  public enum Phase { STARTING, SERVING, STOPPING }

  private final String appId;
  private final List<ComponentInfo> components;
  private final Instant startedAt = Instant.now();
  private volatile Phase phase = Phase.STARTING;
  private volatile @Nullable HealthMonitor monitor;

  /**
   * @param components every configured component (known before any is initialised)
   */
  public RuntimeState(String appId, List<ComponentInfo> components) {
    this.appId = appId;
    this.components = List.copyOf(components);
  }

  public String appId() {
    return appId;
  }

  public List<ComponentInfo> components() {
    return components;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Phase phase() {
    return phase;
  }

  /** The component health checks, once the components are initialised. */
  public @Nullable HealthMonitor monitor() {
    return monitor;
  }

  /** Every component is initialised and the gRPC server accepts calls. */
  public void serving(HealthMonitor healthMonitor) {
    this.monitor = healthMonitor;
    this.phase = Phase.SERVING;
  }

  /** Shutdown began: probes answer DOWN from now on. */
  public void stopping() {
    this.phase = Phase.STOPPING;
  }
}
