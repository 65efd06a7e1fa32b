package io.layotto.components.jdbc;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * MySQL and MariaDB through MariaDB Connector/J. Times are stored as UTC {@code DATETIME(6)}
 * computed by the server ({@code UTC_TIMESTAMP}), so neither the session nor the sidecar time zone
 * matters.
 */
final class MysqlDialect implements SqlDialect {

  @Override
  public String type() {
    return "mysql";
  }

  @Override
  public String driverClassName() {
    return "org.mariadb.jdbc.Driver";
  }

  @Override
  public ConnectionSettings parseConnectionString(String text) {
    return MysqlConnectionStrings.parse(text);
  }

  @Override
  public String jdbcUrl(ConnectionSettings settings) {
    String hosts = settings.hosts().stream().map(HostPort::toString).collect(Collectors.joining(","));
    return "jdbc:mariadb://" + hosts + "/" + (settings.database() == null ? "" : settings.database());
  }

  @Override
  public Map<String, String> defaultDriverProperties() {
    return Map.of("connectTimeout", "5000");
  }

  @Override
  public boolean hasSchemaName() {
    return true;
  }

  @Override
  public String quote(String identifier) {
    return '`' + identifier + '`';
  }

  @Override
  public List<String> createTable(TableName table, @Nullable String createSchema) {
    List<String> statements = new ArrayList<>();
    if (createSchema != null) {
      statements.add("CREATE DATABASE IF NOT EXISTS " + quote(createSchema) + " CHARACTER SET utf8mb4");
    }
    // The key is hashed for the primary key: InnoDB index entries are limited to 3072 bytes.
    statements.add("""
        CREATE TABLE IF NOT EXISTS %s (
          key_hash BINARY(32) NOT NULL PRIMARY KEY,
          key_text LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
          value LONGBLOB NOT NULL,
          version BIGINT NOT NULL,
          expire_at DATETIME(6) NULL,
          inserted_at DATETIME(6) NOT NULL,
          updated_at DATETIME(6) NULL,
          INDEX expire_at_idx (expire_at)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""".formatted(table.qualified(this)));
    return statements;
  }

  @Override
  public String now() {
    return "UTC_TIMESTAMP(6)";
  }

  @Override
  public String nowPlusSeconds() {
    return "TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(6))";
  }

  @Override
  public String insertIfAbsent(String table, String expiry) {
    // a duplicate key fails the statement (error 1062), see isDuplicateKey
    return "INSERT INTO " + table + " (key_hash, key_text, value, version, expire_at, inserted_at) VALUES (?, ?, ?, ?, "
        + expiry + ", UTC_TIMESTAMP(6))";
  }

  @Override
  public String upsert(String table, String expiry) {
    // assignments run left to right, so version is incremented from the stored value
    return "INSERT INTO " + table + " (key_hash, key_text, value, version, expire_at, inserted_at) VALUES (?, ?, ?, ?, "
        + expiry + ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE version = version + 1, value = VALUES(value),"
        + " expire_at = VALUES(expire_at), updated_at = UTC_TIMESTAMP(6)";
  }

  @Override
  public boolean isDuplicateKey(SQLException e) {
    return e.getErrorCode() == 1062;
  }

  @Override
  public @Nullable Instant readInstant(ResultSet rs, int column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
