package io.layotto.components.jdbc;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import org.jspecify.annotations.Nullable;

/**
 * A relational state store's validated configuration (Dapr's metadata names).
 *
 * @param createSchema a schema (MySQL database) to create before the table, or null
 * @param queryTimeoutSeconds the limit on every statement
 * @param cleanupIntervalSeconds how often expired rows are deleted; 0 disables the sweep
 */
record JdbcStateStoreConfig(String componentName, ConnectionSettings connection, TableName table,
    @Nullable String createSchema, int queryTimeoutSeconds, long cleanupIntervalSeconds, int maxConns) {

  static final String CONNECTION_STRING = "connectionString";
  static final String TABLE_NAME = "tableName";
  static final String SCHEMA_NAME = "schemaName";
  static final String TIMEOUT_IN_SECONDS = "timeoutInSeconds";
  static final String CLEANUP_INTERVAL_IN_SECONDS = "cleanupIntervalInSeconds";
  static final String MAX_CONNS = "maxConns";

  static final String DEFAULT_TABLE = "state";
  /** Dapr's MySQL default, used when neither schemaName nor the connection string names a database. */
  static final String DEFAULT_MYSQL_SCHEMA = "dapr_state_store";
  static final int DEFAULT_TIMEOUT_SECONDS = 20;
  static final long DEFAULT_CLEANUP_SECONDS = 3600;
  static final int DEFAULT_MAX_CONNS = 10;

  /** The keys a store of this dialect understands. */
  static MetadataSchema schema(SqlDialect dialect) {
    MetadataSchema.Builder b = MetadataSchema.builder();
    if (dialect.hasSchemaName()) {
      b.required(CONNECTION_STRING, Type.SECRET,
          "Go DSN user:password@tcp(host:port)/dbname?param=value, or a jdbc:mariadb:// or jdbc:mysql:// URL");
    } else {
      b.required(CONNECTION_STRING, Type.SECRET,
          "libpq 'host=... port=... user=... password=... database=...', a postgres://user:password@host:port/db URL,"
              + " or a jdbc:postgresql:// URL");
    }
    b.optional(TABLE_NAME, Type.STRING, DEFAULT_TABLE,
        dialect.hasSchemaName() ? "Table holding the state; created if absent"
            : "Table holding the state, optionally schema.table; created if absent");
    if (dialect.hasSchemaName()) {
      b.optional(SCHEMA_NAME, Type.STRING, null, "Database holding the table, created if absent; default: the"
          + " connection string's database, else " + DEFAULT_MYSQL_SCHEMA);
    }
    return b.optional(TIMEOUT_IN_SECONDS, Type.INT, Integer.toString(DEFAULT_TIMEOUT_SECONDS),
            "Timeout of every database statement, in seconds")
        .optional(CLEANUP_INTERVAL_IN_SECONDS, Type.INT, Long.toString(DEFAULT_CLEANUP_SECONDS),
            "Interval of the sweep deleting expired rows, in seconds; 0 disables it")
        .optional(MAX_CONNS, Type.INT, Integer.toString(DEFAULT_MAX_CONNS), "Maximum connections in the pool")
        .build();
  }

  static JdbcStateStoreConfig from(Metadata metadata, SqlDialect dialect) {
    String name = metadata.componentName();
    String connectionString = metadata.require(CONNECTION_STRING);
    ConnectionSettings connection;
    try {
      connection = dialect.parseConnectionString(connectionString);
    } catch (InvalidConnectionString e) {
      throw ComponentException.invalidArgument("metadata '" + CONNECTION_STRING + "' of component '" + name
          + "' is not a valid " + dialect.type() + " connection string: " + e.getMessage());
    }
    String tableText = metadata.getString(TABLE_NAME, DEFAULT_TABLE);
    TableName table;
    String createSchema = null;
    if (dialect.hasSchemaName()) {
      TableName.identifier(name, TABLE_NAME, tableText);
      String schema = metadata.get(SCHEMA_NAME).map(s -> TableName.identifier(name, SCHEMA_NAME, s)).orElse(null);
      if (schema == null) {
        String db = connection.database();
        if (db != null && !db.matches("[A-Za-z0-9_$-]{1,64}")) {
          throw ComponentException.invalidArgument("the database named in metadata '" + CONNECTION_STRING
              + "' of component '" + name + "' is '" + db + "', expected letters, digits, '_', '$' or '-'"
              + " (or set '" + SCHEMA_NAME + "')");
        }
        schema = db == null ? DEFAULT_MYSQL_SCHEMA : db;
      }
      if (!schema.equals(connection.database())) {
        createSchema = schema;
      }
      table = new TableName(schema, tableText);
    } else {
      String[] parts = tableText.split("\\.", -1);
      if (parts.length > 2 || !java.util.Arrays.stream(parts).allMatch(p -> TableName.IDENTIFIER.matcher(p).matches())) {
        throw TableName.invalid(name, TABLE_NAME, tableText, " or schema.table");
      }
      table = parts.length == 2 ? new TableName(parts[0], parts[1]) : new TableName(null, parts[0]);
    }
    int timeout = metadata.getInt(TIMEOUT_IN_SECONDS, DEFAULT_TIMEOUT_SECONDS);
    if (timeout < 1) {
      throw atLeast(name, TIMEOUT_IN_SECONDS, timeout, 1);
    }
    long cleanup = metadata.getLong(CLEANUP_INTERVAL_IN_SECONDS, DEFAULT_CLEANUP_SECONDS);
    if (cleanup < 0) {
      throw atLeast(name, CLEANUP_INTERVAL_IN_SECONDS, cleanup, 0);
    }
    int maxConns = metadata.getInt(MAX_CONNS, DEFAULT_MAX_CONNS);
    if (maxConns < 1) {
      throw atLeast(name, MAX_CONNS, maxConns, 1);
    }
    return new JdbcStateStoreConfig(name, connection, table, createSchema, timeout, cleanup, maxConns);
  }

  private static ComponentException atLeast(String component, String key, long value, long min) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + component + "' is '"
        + value + "', expected a whole number of at least " + min);
  }
}
