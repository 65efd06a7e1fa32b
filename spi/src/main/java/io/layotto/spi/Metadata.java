package io.layotto.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A component's configuration: its configured name and Layotto's string metadata map (e.g.
 * {@code redisHost}). Immutable. The typed getters fail with {@link ComponentException} naming the
 * key and the bad value; the runtime has already checked the map against the factory's
 * {@link MetadataSchema}, so defaults come from there.
 */
public final class Metadata {

  private final String componentName;
  private final Map<String, String> properties;

  public Metadata(String componentName, Map<String, String> properties) {
    this.componentName = componentName;
    this.properties = Map.copyOf(properties);
  }

  /** The name the component was configured under, e.g. {@code state_demo}. */
  public String componentName() {
    return componentName;
  }

  /** All properties, unmodifiable. */
  public Map<String, String> asMap() {
    return properties;
  }

  public Optional<String> get(String key) {
    String value = properties.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String getString(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public String require(String key) {
    return get(key).orElseThrow(() -> ComponentException.invalidArgument(
        "metadata '" + key + "' of component '" + componentName + "' is required"));
  }

  public int getInt(String key, int defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw bad(key, value.get(), "an integer");
    }
  }

  public long getLong(String key, long defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      throw bad(key, value.get(), "an integer");
    }
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw bad(key, value.get(), "true or false");
    };
  }

  /**
   * A duration written as Go/Dapr do ({@code 500ms}, {@code 3s}, {@code 1m}, {@code 2h}) or as a
   * plain number in {@code plainUnit}.
   */
  public Duration getDuration(String key, Duration defaultValue, java.time.temporal.ChronoUnit plainUnit) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    @Nullable Duration parsed = Durations.parse(value.get(), plainUnit);
    if (parsed == null) {
      throw bad(key, value.get(), "a duration such as 500ms, 3s, 1m or a number of " + plainUnit.name().toLowerCase(java.util.Locale.ROOT));
    }
    return parsed;
  }

  private ComponentException bad(String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + componentName
        + "' is '" + value + "', expected " + expected);
  }

  @Override
  public String toString() {
    // Never print values: they hold passwords.
    return "Metadata[" + componentName + ", keys=" + new TreeMap<>(properties).keySet() + "]";
  }
}
