package io.layotto.runtime.testing;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A state store tests steer through static maps keyed by the {@code probe} metadata value (unique
 * per test): its health, and whether it was initialised and closed.
 */
public final class FakeStateStore implements StateStore {

  /** Health per probe key; absent = UP. */
  public static final Map<String, Health> HEALTH = new ConcurrentHashMap<>();
  /** Init blocks on the gate registered under its probe key, if any. */
  public static final Map<String, java.util.concurrent.CountDownLatch> INIT_GATES = new ConcurrentHashMap<>();
  /** get() blocks on the gate registered under its probe key, if any, after counting down GET_ENTERED. */
  public static final Map<String, java.util.concurrent.CountDownLatch> GET_GATES = new ConcurrentHashMap<>();
  public static final Map<String, java.util.concurrent.CountDownLatch> GET_ENTERED = new ConcurrentHashMap<>();
  /** The store registered under each probe key at init. */
  public static final Map<String, FakeStateStore> BY_PROBE = new ConcurrentHashMap<>();

  private final AtomicInteger closeCount = new AtomicInteger();
  private volatile boolean initialised;
  private volatile String probe = "";

  @Override
  public void init(Metadata metadata) {
    probe = metadata.getString("probe", metadata.componentName());
    BY_PROBE.put(probe, this);
    var gate = INIT_GATES.get(probe);
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (metadata.getBoolean("failInit", false)) {
      throw ComponentException.unavailable("cannot connect to fake backend (failInit=true)", null);
    }
    initialised = true;
  }

  @Override
  public Health checkHealth() {
    return HEALTH.getOrDefault(probe, Health.up());
  }

  public boolean initialised() {
    return initialised;
  }

  public int closeCount() {
    return closeCount.get();
  }

  @Override
  public Set<StateFeature> features() {
    return Set.of();
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    var gate = GET_GATES.get(probe);
    if (gate == null) {
      return Optional.empty();
    }
    GET_ENTERED.get(probe).countDown();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted", e);
    }
    return Optional.of(new StateValue(("value of " + request.key()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "1"));
  }

  @Override
  public void set(SetRequest request) {}

  @Override
  public void delete(DeleteRequest request) {}

  @Override
  public void close() {
    closeCount.incrementAndGet();
  }
}
