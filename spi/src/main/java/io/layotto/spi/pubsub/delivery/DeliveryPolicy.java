package io.layotto.spi.pubsub.delivery;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How often and how patiently a message is offered to the app before giving up on it for now.
 * Immutable and validated on construction: every bad value is an {@link IllegalArgumentException}
 * naming the field and the value.
 *
 * @param maxAttempts deliveries to the app per broker delivery, the first one included (>= 1)
 * @param initialBackoff wait before the second attempt (> 0)
 * @param maxBackoff cap of the wait between attempts (>= initialBackoff)
 * @param multiplier growth of the wait from one attempt to the next (>= 1)
 * @param attemptTimeout how long one attempt may stay unanswered before it counts as RETRY (> 0)
 * @param deadLetterTopic where a message goes after its last failed attempt; {@code null} hands it
 *     back to the broker instead, which delivers it again later
 */
public record DeliveryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
    Duration attemptTimeout, @Nullable String deadLetterTopic) {

  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  private static final DeliveryPolicy DEFAULTS = builder().build();

  public DeliveryPolicy {
    if (maxAttempts < 1) {
      throw bad("maxAttempts", maxAttempts, "at least 1");
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw bad("initialBackoff", initialBackoff, "a positive duration");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw bad("maxBackoff", maxBackoff, "at least initialBackoff (" + initialBackoff + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw bad("multiplier", multiplier, "a finite number >= 1");
    }
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw bad("attemptTimeout", attemptTimeout, "a positive duration");
    }
    if (deadLetterTopic != null && deadLetterTopic.isBlank()) {
      throw bad("deadLetterTopic", "'" + deadLetterTopic + "'", "a topic name or none");
    }
  }

  /** 5 attempts, 200 ms doubling up to 10 s, 30 s per attempt, no dead-letter topic. */
  public static DeliveryPolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy's values. */
  public Builder toBuilder() {
    return new Builder().maxAttempts(maxAttempts).initialBackoff(initialBackoff).maxBackoff(maxBackoff)
        .multiplier(multiplier).attemptTimeout(attemptTimeout).deadLetterTopic(deadLetterTopic);
  }

  /**
   * The wait after failed attempt number {@code attempt} (1-based): initialBackoff × multiplier^(attempt-1),
   * capped at maxBackoff.
   */
  public Duration backoffAfter(int attempt) {
    if (attempt < 1) {
      throw bad("attempt", attempt, "at least 1");
    }
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 1);
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }

  private static IllegalArgumentException bad(String field, Object value, String expected) {
    return new IllegalArgumentException("delivery policy '" + field + "' is " + value + ", expected " + expected);
  }

  /** Collects values; {@link #build()} validates them. Starts from the defaults. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private @Nullable String deadLetterTopic;

    private Builder() {}

    public Builder maxAttempts(int value) {
      maxAttempts = value;
      return this;
    }

    public Builder initialBackoff(Duration value) {
      initialBackoff = value;
      return this;
    }

    public Builder maxBackoff(Duration value) {
      maxBackoff = value;
      return this;
    }

    public Builder multiplier(double value) {
      multiplier = value;
      return this;
    }

    public Builder attemptTimeout(Duration value) {
      attemptTimeout = value;
      return this;
    }

    public Builder deadLetterTopic(@Nullable String value) {
      deadLetterTopic = value;
      return this;
    }

    public DeliveryPolicy build() {
      return new DeliveryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, attemptTimeout, deadLetterTopic);
    }
  }
}
