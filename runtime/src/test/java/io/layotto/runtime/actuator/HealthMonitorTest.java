package io.layotto.runtime.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.Component;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {

  /** A component whose health check blocks until released. */
  private static final class Hanging implements Component {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void init(Metadata metadata) {}

    @Override
    public Health checkHealth() {
      calls.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Health.up();
    }

    @Override
    public void close() {}
  }

  /** A component whose health check throws despite the contract. */
  private static final class Throwing implements Component {
    @Override
    public void init(Metadata metadata) {}

    @Override
    public Health checkHealth() {
      throw new IllegalStateException("boom");
    }

    @Override
    public void close() {}
  }

  private static final class Fine implements Component {
    @Override
    public void init(Metadata metadata) {}

    @Override
    public void close() {}
  }

  @Test
  void aHangingCheckCountsAsDownWithoutBlockingReadersAndIsNotStackedUp() {
    Hanging hanging = new Hanging();
    Map<String, Component> components = new LinkedHashMap<>();
    components.put("slow", hanging);
    components.put("throws", new Throwing());
    components.put("fine", new Fine());
    try (HealthMonitor monitor = new HealthMonitor(components, Duration.ofMillis(50), Duration.ofMillis(100)).start()) {
      Map<String, Health> latest = monitor.latest();
      assertThat(latest.get("slow").isUp()).isFalse();
      assertThat(latest.get("slow").reason()).isEqualTo("health check did not answer within 100 ms");
      assertThat(latest.get("throws").reason()).isEqualTo("health check failed: java.lang.IllegalStateException: boom");
      assertThat(latest.get("fine").isUp()).isTrue();

      await().pollDelay(Duration.ofMillis(400)).until(() -> true);
      assertThat(hanging.calls.get()).isEqualTo(1);

      hanging.release.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> monitor.latest().get("slow").isUp());
    } finally {
      hanging.release.countDown();
    }
  }
}
