package io.layotto.runtime.actuator;

import io.layotto.spi.Component;
import io.layotto.spi.Health;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every component's health in the background and keeps the latest results, so a readiness
 * probe answers from memory and never waits on a dead backend. Each check runs on its own virtual
 * thread and is bounded by a timeout; a check still hanging from the previous round counts as DOWN
 * and is not started again until it returns.
 */
public final class HealthMonitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  private final Map<String, Component> components;
  private final Duration interval;
  private final Duration timeout;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Future<Health>> running = new HashMap<>();
  private volatile Map<String, Health> latest;

  public HealthMonitor(Map<String, Component> components, Duration interval, Duration timeout) {
    this.components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    this.interval = interval;
    this.timeout = timeout;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "layotto-health");
      t.setDaemon(true);
      return t;
    });
    Map<String, Health> initial = new LinkedHashMap<>();
    components.keySet().forEach(name -> initial.put(name, Health.up()));
    this.latest = Collections.unmodifiableMap(initial);
  }

  /** Runs a first round now (so the first answer is real), then one every interval. */
  public HealthMonitor start() {
    checkAll();
    scheduler.scheduleWithFixedDelay(this::checkAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The latest result per component name, in config order. */
  public Map<String, Health> latest() {
    return latest;
  }

  /** One round; synchronized with itself only through the single scheduler thread (and start()). */
  synchronized void checkAll() {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Health> results = new LinkedHashMap<>();
    for (Map.Entry<String, Component> e : components.entrySet()) {
      Future<Health> previous = running.get(e.getKey());
      if (previous == null || previous.isDone()) {
        Component component = e.getValue();
        running.put(e.getKey(), checks.submit(component::checkHealth));
      }
    }
    for (String name : components.keySet()) {
      results.put(name, await(running.get(name), deadline));
    }
    Map<String, Health> before = latest;
    latest = Collections.unmodifiableMap(results);
    results.forEach((name, now) -> {
      Health was = before.get(name);
      if (was != null && was.status() != now.status()) {
        if (now.isUp()) {
          log.info("component '{}' is healthy again", name);
        } else {
          log.warn("component '{}' is unhealthy: {}", name, now.reason());
        }
      }
    });
  }

  private Health await(Future<Health> check, long deadline) {
    try {
      Health health = check.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return health == null ? Health.down("health check returned nothing") : health;
    } catch (TimeoutException e) {
      return Health.down("health check did not answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return Health.down("health check failed: " + cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down("health check interrupted");
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    checks.shutdownNow();
  }
}
