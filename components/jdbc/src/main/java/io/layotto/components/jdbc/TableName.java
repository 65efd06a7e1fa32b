package io.layotto.components.jdbc;

import io.layotto.spi.ComponentException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A validated table name with its optional schema. Names are restricted to plain identifiers so
 * that they can be put into SQL text safely.
 */
record TableName(@Nullable String schema, String table) {

  /** Letters, digits and underscores, not starting with a digit, at most 63 characters. */
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** Checks one identifier, naming the metadata key and value when it is not one. */
  static String identifier(String componentName, String key, String value) {
    if (!IDENTIFIER.matcher(value).matches()) {
      throw invalid(componentName, key, value, "");
    }
    return value;
  }

  static ComponentException invalid(String componentName, String key, String value, String alternative) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + componentName + "' is '"
        + value + "', expected a name of letters, digits and underscores (not starting with a digit, at most 63)"
        + alternative);
  }

  /** {@code schema.table} or {@code table}, quoted for the dialect. */
  String qualified(SqlDialect dialect) {
    return (schema == null ? "" : dialect.quote(schema) + ".") + dialect.quote(table);
  }

  @Override
  public String toString() {
    return (schema == null ? "" : schema + ".") + table;
  }
}
