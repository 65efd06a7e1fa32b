package io.layotto.components.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the relational databases: connection-string syntax, JDBC driver, DDL, the
 * clock expression and the "insert unless present" statement. Everything else is in
 * {@link JdbcStateStore}.
 */
sealed interface SqlDialect permits PostgresqlDialect, MysqlDialect {

  /** The component type name in config files. */
  String type();

  String driverClassName();

  /** @throws InvalidConnectionString when the text is not in any accepted form */
  ConnectionSettings parseConnectionString(String text);

  /** The JDBC URL without credentials. */
  String jdbcUrl(ConnectionSettings settings);

  /** Driver properties applied unless the connection string sets them (e.g. a short connect timeout). */
  Map<String, String> defaultDriverProperties();

  /** Whether the {@code schemaName} metadata applies (MySQL: the database holding the table). */
  boolean hasSchemaName();

  /** Quotes one identifier already checked to hold no quote characters (see {@link TableName#IDENTIFIER}). */
  String quote(String identifier);

  /**
   * Statements creating the table (and its schema or index) if absent.
   *
   * @param createSchema the schema to create first, or null
   */
  List<String> createTable(TableName table, @Nullable String createSchema);

  /** The database clock as an absolute instant, compared with {@code expire_at}. */
  String now();

  /** {@code now + ? seconds}, NULL when the parameter is NULL. */
  String nowPlusSeconds();

  /** An INSERT of (key_hash, key_text, value, version, expire_at) that does nothing if the key exists. */
  String insertIfAbsent(String table, String expiry);

  /** An INSERT of the same columns that overwrites an existing row and increments its version. */
  String upsert(String table, String expiry);

  /** Whether the exception reports a primary-key conflict. */
  boolean isDuplicateKey(SQLException e);

  /** Whether the exception means another process created the same table at the same moment. */
  default boolean isConcurrentCreate(SQLException e) {
    return false;
  }

  /** The key as stored in the informational key column. */
  default String storableKeyText(String key) {
    return key;
  }

  @Nullable Instant readInstant(ResultSet rs, int column) throws SQLException;
}
