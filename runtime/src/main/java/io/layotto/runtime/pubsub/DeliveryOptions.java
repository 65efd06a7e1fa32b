package io.layotto.runtime.pubsub;

import io.layotto.spi.Durations;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How one subscription is delivered. Read from the pub/sub component's metadata (defaults for all
 * its subscriptions) and then from the subscription's metadata (overrides):
 * <ul>
 *   <li>{@code maxConcurrency} — messages handed to the app and not yet answered (default 16)</li>
 *   <li>{@code backoffInitialInterval} — wait before the first redelivery after RETRY or a failure
 *       (default 100ms); doubled per attempt up to {@code backoffMaxInterval} (default 10s)</li>
 *   <li>{@code maxDeliveryAttempts} — attempts before a message goes to the dead-letter topic
 *       (default 5; only used when a dead-letter topic is set, otherwise retries never stop)</li>
 *   <li>{@code deliveryTimeout} — how long one delivery may take before it counts as RETRY (default 30s)</li>
 * </ul>
 */
public record DeliveryOptions(int maxConcurrency, Duration initialBackoff, Duration maxBackoff, int maxAttempts,
    Duration deliveryTimeout) {

  public static final String MAX_CONCURRENCY = "maxConcurrency";
  public static final String BACKOFF_INITIAL = "backoffInitialInterval";
  public static final String BACKOFF_MAX = "backoffMaxInterval";
  public static final String MAX_ATTEMPTS = "maxDeliveryAttempts";
  public static final String DELIVERY_TIMEOUT = "deliveryTimeout";

  public static final List<String> KEYS = List.of(MAX_CONCURRENCY, BACKOFF_INITIAL, BACKOFF_MAX, MAX_ATTEMPTS,
      DELIVERY_TIMEOUT);

  public static final DeliveryOptions DEFAULTS = new DeliveryOptions(16, Duration.ofMillis(100),
      Duration.ofSeconds(10), 5, Duration.ofSeconds(30));

  public DeliveryOptions {
    if (maxConcurrency < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("maxConcurrency and maxDeliveryAttempts must be >= 1");
    }
  }

  /** The wait before attempt {@code attempt + 1} (attempt counts from 1). */
  public Duration backoff(int attempt) {
    long millis = initialBackoff.toMillis();
    for (int i = 1; i < attempt && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
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
    int concurrency = read(md, MAX_CONCURRENCY, base.maxConcurrency, DeliveryOptions::positiveInt,
        "a whole number >= 1", problems);
    Duration initial = read(md, BACKOFF_INITIAL, base.initialBackoff, DeliveryOptions::duration,
        "a duration such as 100ms or 2s", problems);
    Duration max = read(md, BACKOFF_MAX, base.maxBackoff, DeliveryOptions::duration,
        "a duration such as 10s or 1m", problems);
    int attempts = read(md, MAX_ATTEMPTS, base.maxAttempts, DeliveryOptions::positiveInt,
        "a whole number >= 1", problems);
    Duration timeout = read(md, DELIVERY_TIMEOUT, base.deliveryTimeout, DeliveryOptions::positiveDuration,
        "a duration above zero such as 30s", problems);
    if (max.compareTo(initial) < 0) {
      max = initial;
    }
    return new DeliveryOptions(concurrency, initial, max, attempts, timeout);
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

  private static @Nullable Duration duration(String s) {
    Duration d = Durations.parse(s, ChronoUnit.MILLIS);
    return d == null || d.isNegative() ? null : d;
  }

  private static @Nullable Duration positiveDuration(String s) {
    Duration d = duration(s);
    return d == null || d.isZero() ? null : d;
  }
}
