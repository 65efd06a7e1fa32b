package io.layotto.spi;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The metadata keys a component type understands: name, type, whether required, default and a
 * one-line description. It documents the component ({@link #describe()}) and lets the runtime
 * reject a bad config at start-up before any component connects anywhere.
 */
public final class MetadataSchema {

  /** How a value is written. */
  public enum Type { STRING, INT, BOOL, DURATION, ENUM, SECRET }

  /** One key. {@code allowed} is non-empty only for {@link Type#ENUM}. */
  public record Field(String name, Type type, boolean required, @Nullable String defaultValue,
      String description, List<String> allowed) {}

  private final Map<String, Field> fields;

  private MetadataSchema(Map<String, Field> fields) {
    this.fields = fields;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A schema with no keys: any metadata is ignored. */
  public static MetadataSchema empty() {
    return new MetadataSchema(Map.of());
  }

  public List<Field> fields() {
    return List.copyOf(fields.values());
  }

  public Optional<Field> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /**
   * Checks a metadata map. Unknown keys are not errors (Layotto configs carry runtime-level keys
   * such as {@code keyPrefix}); callers may warn about them using {@link #unknownKeys(Map)}.
   *
   * @return one message per problem, each naming the key, the value and what is allowed
   */
  public List<String> validate(Map<String, String> metadata) {
    List<String> problems = new ArrayList<>();
    for (Field f : fields.values()) {
      String value = metadata.get(f.name());
      if (value == null || value.isBlank()) {
        if (f.required()) {
          problems.add("'" + f.name() + "' is required (" + f.description() + ")");
        }
        continue;
      }
      String v = value.trim();
      String expected = switch (f.type()) {
        case STRING, SECRET -> null;
        case INT -> v.matches("-?\\d+") ? null : "an integer";
        case BOOL -> Set.of("true", "false", "1", "0", "yes", "no", "on", "off")
            .contains(v.toLowerCase(Locale.ROOT)) ? null : "true or false";
        case DURATION -> Durations.parse(v, ChronoUnit.SECONDS) != null ? null
            : "a duration such as 500ms, 3s or 1m";
        case ENUM -> f.allowed().contains(v) ? null : "one of " + f.allowed();
      };
      if (expected != null) {
        String shown = f.type() == Type.SECRET ? "***" : v;
        problems.add("'" + f.name() + "' is '" + shown + "', expected " + expected);
      }
    }
    return problems;
  }

  public Set<String> unknownKeys(Map<String, String> metadata) {
    Set<String> unknown = new java.util.TreeSet<>(metadata.keySet());
    unknown.removeAll(fields.keySet());
    return unknown;
  }

  /** Human-readable table of the keys, for docs and {@code --help}-style output. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Field f : fields.values()) {
      sb.append(f.name()).append(" (").append(f.type().name().toLowerCase(Locale.ROOT))
          .append(f.required() ? ", required" : "")
          .append(f.defaultValue() != null ? ", default " + f.defaultValue() : "")
          .append(f.allowed().isEmpty() ? "" : ", one of " + f.allowed())
          .append("): ").append(f.description()).append('\n');
    }
    return sb.toString();
  }

  /** Collects fields in declaration order. */
  public static final class Builder {
    private final Map<String, Field> fields = new LinkedHashMap<>();

    public Builder required(String name, Type type, String description) {
      return add(new Field(name, type, true, null, description, List.of()));
    }

    public Builder optional(String name, Type type, @Nullable String defaultValue, String description) {
      return add(new Field(name, type, false, defaultValue, description, List.of()));
    }

    public Builder oneOf(String name, String defaultValue, List<String> allowed, String description) {
      return add(new Field(name, Type.ENUM, false, defaultValue, description, List.copyOf(allowed)));
    }

    private Builder add(Field field) {
      if (fields.putIfAbsent(field.name(), field) != null) {
        throw new IllegalArgumentException("duplicate metadata key " + field.name());
      }
      return this;
    }

    public MetadataSchema build() {
      return new MetadataSchema(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
    }
  }
}
