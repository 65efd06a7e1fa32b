package io.layotto.spi;

/**
 * Lifecycle shared by every component: created by its factory, initialised once with validated
 * metadata, health-checked by the runtime's readiness probe, closed once at shutdown.
 */
public interface Component extends AutoCloseable {

  /**
   * Connects to the backend and prepares it (e.g. creates tables). Called once, before any other
   * method. A failure here aborts the sidecar's start-up, naming this component.
   *
   * @throws ComponentException with {@link ComponentException.Kind#INVALID_ARGUMENT} for bad
   *     metadata values, {@link ComponentException.Kind#UNAVAILABLE} when the backend cannot be
   *     reached.
   */
  void init(Metadata metadata);

  /**
   * Answers whether the backend is usable right now. Must be cheap (a ping) and must not throw:
   * failures are reported as {@link Health#down(String)}.
   */
  default Health checkHealth() {
    return Health.up();
  }

  /** Releases connections and threads. Idempotent; never throws. */
  @Override
  void close();
}
