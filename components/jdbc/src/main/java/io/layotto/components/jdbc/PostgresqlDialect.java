package io.layotto.components.jdbc;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** PostgreSQL through pgjdbc. */
final class PostgresqlDialect implements SqlDialect {

  @Override
  public String type() {
    return "postgresql";
  }

  @Override
  public String driverClassName() {
    return "org.postgresql.Driver";
  }

  @Override
  public ConnectionSettings parseConnectionString(String text) {
    return PostgresqlConnectionStrings.parse(text);
  }

  @Override
  public String jdbcUrl(ConnectionSettings settings) {
    String hosts = settings.hosts().stream().map(HostPort::toString).collect(Collectors.joining(","));
    String db = settings.database() == null ? "" : ConnectionStringSyntax.percentEncode(settings.database());
    return "jdbc:postgresql://" + hosts + "/" + db;
  }

  @Override
  public Map<String, String> defaultDriverProperties() {
    return Map.of("connectTimeout", "5", "ApplicationName", "layotto");
  }

  @Override
  public boolean hasSchemaName() {
    return false;
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier + '"';
  }

  @Override
  public List<String> createTable(TableName table, @Nullable String createSchema) {
    String t = table.qualified(this);
    // The key is hashed for the primary key: a btree entry holding the full text is limited to
    // about 2.7 kB, and keys may be longer.
    return List.of("""
        CREATE TABLE IF NOT EXISTS %s (
          key_hash bytea NOT NULL PRIMARY KEY,
          key_text text NOT NULL,
          value bytea NOT NULL,
          version bigint NOT NULL,
          expire_at timestamptz NULL,
          inserted_at timestamptz NOT NULL,
          updated_at timestamptz NULL)""".formatted(t),
        "CREATE INDEX IF NOT EXISTS %s ON %s (expire_at) WHERE expire_at IS NOT NULL"
            .formatted(quote(table.table() + "_expire_at"), t));
  }

  @Override
  public String now() {
    return "now()";
  }

  @Override
  public String nowPlusSeconds() {
    return "now() + CAST(? AS bigint) * INTERVAL '1 second'";
  }

  @Override
  public String insertIfAbsent(String table, String expiry) {
    return "INSERT INTO " + table + " (key_hash, key_text, value, version, expire_at, inserted_at) VALUES (?, ?, ?, ?, "
        + expiry + ", now()) ON CONFLICT (key_hash) DO NOTHING";
  }

  @Override
  public String upsert(String table, String expiry) {
    return "INSERT INTO " + table + " AS s (key_hash, key_text, value, version, expire_at, inserted_at) VALUES (?, ?, ?, ?, "
        + expiry + ", now()) ON CONFLICT (key_hash) DO UPDATE SET value = EXCLUDED.value, version = s.version + 1,"
        + " expire_at = EXCLUDED.expire_at, updated_at = now()";
  }

  @Override
  public boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  public boolean isConcurrentCreate(SQLException e) {
    // CREATE ... IF NOT EXISTS is not atomic in PostgreSQL: a concurrent creator may win the
    // catalog insert (unique_violation on pg_type, duplicate_table or duplicate_object).
    return "23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState()) || "42710".equals(e.getSQLState());
  }

  @Override
  public String storableKeyText(String key) {
    // text cannot hold NUL; the column is informational (rows are found by the hash)
    return key.indexOf('\0') < 0 ? key : key.replace('\0', '\uFFFD');
  }

  @Override
  public @Nullable Instant readInstant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
