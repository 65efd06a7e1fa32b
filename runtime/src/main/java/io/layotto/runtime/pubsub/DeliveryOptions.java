package io.layotto.runtime.pubsub;

import io.layotto.spi.Durations;
import io.layotto.spi.pubsub.delivery.DeliveryPolicy;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How one subscription is delivered: its in-flight bound and its {@link DeliveryPolicy} (without the
 * dead-letter topic, which comes from the subscription itself). Read from the pub/sub component's
 * metadata (defaults for all its subscriptions), then from the subscription's metadata (overrides):
 * <ul>
 *   <li>{@code maxConcurrency} — messages handed to the app and not yet answered (default 100)</li>
 *   <li>{@code maxDeliveryAttempts} — attempts per broker delivery before the message goes to the
 *       dead-letter topic, or back to the broker for a later redelivery when there is none (default 5)</li>
 *   <li>{@code backoffInitialInterval} — wait after the first failed attempt (default 200ms)</li>
 *   <li>{@code backoffMultiplier} — growth of the wait per attempt (default 2)</li>
 *   <li>{@code backoffMaxInterval} — cap of the wait (default 10s)</li>
 *   <li>{@code deliveryTimeout} — how long one attempt may stay unanswered before it counts as RETRY
 *       (default 30s)</li>
 * </ul>
 * A failed attempt is a RETRY answer, an unknown status, a failed call or a timeout.
 */
public record DeliveryOptions(int maxConcurrency, DeliveryPolicy policy) {

  public static final String MAX_CONCURRENCY = "maxConcurrency";
  public static final String MAX_ATTEMPTS = "maxDeliveryAttempts";
  public static final String BACKOFF_INITIAL = "backoffInitialInterval";
  public static final String BACKOFF_MULTIPLIER = "backoffMultiplier";
  public static final String BACKOFF_MAX = "backoffMaxInterval";
  public static final String DELIVERY_TIMEOUT = "deliveryTimeout";

  public static final List<String> KEYS = List.of(MAX_CONCURRENCY, MAX_ATTEMPTS, BACKOFF_INITIAL,
      BACKOFF_MULTIPLIER, BACKOFF_MAX, DELIVERY_TIMEOUT);

  /**
   * Each slot is held for a whole round trip (app answer, then the broker ack), so a subscription's
   * throughput is at most maxConcurrency / round trip: with 16 it saturated at about 7,000 msg/s on
   * Redis while the broker's own client read 65,000. 100 matches the read batch of the Redis
   * component ({@code queueDepth}) and still bounds what one subscription holds.
   */
  public static final int DEFAULT_MAX_CONCURRENCY = 100;
  public static final DeliveryOptions DEFAULTS = new DeliveryOptions(DEFAULT_MAX_CONCURRENCY,
      DeliveryPolicy.defaults());

  public DeliveryOptions {
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + maxConcurrency);
    }
  }

  /** Problems with the delivery keys in {@code metadata}, each naming key and value. */
  public static List<String> validate(Map<String, String> metadata) {
    List<String> problems = new ArrayList<>();
    overriding(DEFAULTS, metadata, problems);
    return problems;
  }

  /**
   * These options with the keys present in {@code metadata} applied.
   *
   * @throws IllegalArgumentException naming the first bad key and its value
   */
  public DeliveryOptions with(Map<String, String> metadata) {
    List<String> problems = new ArrayList<>();
    DeliveryOptions options = overriding(this, metadata, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.getFirst());
    }
    return options;
  }

  private static DeliveryOptions overriding(DeliveryOptions base, Map<String, String> md, List<String> problems) {
    DeliveryPolicy p = base.policy;
    int concurrency = read(md, MAX_CONCURRENCY, base.maxConcurrency, DeliveryOptions::positiveInt,
        "a whole number >= 1", problems);
    int attempts = read(md, MAX_ATTEMPTS, p.maxAttempts(), DeliveryOptions::positiveInt, "a whole number >= 1",
        problems);
    Duration initial = read(md, BACKOFF_INITIAL, p.initialBackoff(), DeliveryOptions::positiveDuration,
        "a duration above zero such as 100ms or 2s", problems);
    double multiplier = read(md, BACKOFF_MULTIPLIER, p.multiplier(), DeliveryOptions::multiplier,
        "a number >= 1 such as 2 or 1.5", problems);
    Duration max = read(md, BACKOFF_MAX, p.maxBackoff(), DeliveryOptions::positiveDuration,
        "a duration above zero such as 10s or 1m", problems);
    Duration timeout = read(md, DELIVERY_TIMEOUT, p.attemptTimeout(), DeliveryOptions::positiveDuration,
        "a duration above zero such as 30s", problems);
    if (max.compareTo(initial) < 0) {
      max = initial;
    }
    return new DeliveryOptions(concurrency, p.toBuilder().maxAttempts(attempts).initialBackoff(initial)
        .multiplier(multiplier).maxBackoff(max).attemptTimeout(timeout).build());
  }

  private static <T> T read(Map<String, String> md, String key, T fallback, Function<String, @Nullable T> parse,
      String expected, List<String> problems) {
    String raw = md.get(key);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    T value = parse.apply(raw.trim());
    if (value == null) {
      problems.add("'" + key + "' is '" + raw + "', expected " + expected);
      return fallback;
    }
    return value;
  }

  private static @Nullable Integer positiveInt(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 1 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static @Nullable Double multiplier(String s) {
    try {
      double v = Double.parseDouble(s);
      return v >= 1 && !Double.isInfinite(v) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static @Nullable Duration positiveDuration(String s) {
    Duration d = Durations.parse(s, ChronoUnit.MILLIS);
    return d == null || d.isNegative() || d.isZero() ? null : d;
  }
}
