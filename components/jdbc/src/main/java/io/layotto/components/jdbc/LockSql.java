package io.layotto.components.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The statements of {@link JdbcLockStore} for one dialect and table. A lock is one row: the
 * SHA-256 of the resource id (primary key), the id itself for people reading the table, the owner
 * as bytes (compared exactly, whatever the collation) and {@code expire_at} on the database clock.
 * A row past {@code expire_at} counts as absent everywhere.
 */
final class LockSql {

  final List<String> createTable;
  final String deleteExpiredKey;
  /** PostgreSQL: does nothing on a duplicate key; MySQL: fails with error 1062. */
  final String insert;
  final String deleteIfOwner;
  /** Parameters: ttl (ms for PostgreSQL, µs for MySQL), key hash, owner. */
  final String extendIfOwner;
  final String liveOwner;
  final String cleanup;
  final String probe;
  private final boolean micros;

  LockSql(SqlDialect dialect, TableName table, @Nullable String createSchema) {
    String t = table.qualified(dialect);
    String now = dialect.now();
    String expiry;
    List<String> ddl = new ArrayList<>();
    if (dialect instanceof PostgresqlDialect) {
      micros = false;
      expiry = "now() + CAST(? AS bigint) * INTERVAL '1 millisecond'";
      ddl.add("""
          CREATE TABLE IF NOT EXISTS %s (
            key_hash bytea NOT NULL PRIMARY KEY,
            resource_id text NOT NULL,
            owner bytea NOT NULL,
            expire_at timestamptz NOT NULL)""".formatted(t));
      insert = "INSERT INTO " + t + " (key_hash, resource_id, owner, expire_at) VALUES (?, ?, ?, " + expiry
          + ") ON CONFLICT (key_hash) DO NOTHING";
    } else {
      micros = true;
      expiry = "TIMESTAMPADD(MICROSECOND, ?, UTC_TIMESTAMP(6))";
      if (createSchema != null) {
        ddl.add("CREATE DATABASE IF NOT EXISTS " + dialect.quote(createSchema) + " CHARACTER SET utf8mb4");
      }
      ddl.add("""
          CREATE TABLE IF NOT EXISTS %s (
            key_hash BINARY(32) NOT NULL PRIMARY KEY,
            resource_id LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
            owner LONGBLOB NOT NULL,
            expire_at DATETIME(6) NOT NULL
          ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""".formatted(t));
      insert = "INSERT INTO " + t + " (key_hash, resource_id, owner, expire_at) VALUES (?, ?, ?, " + expiry + ")";
    }
    createTable = List.copyOf(ddl);
    deleteExpiredKey = "DELETE FROM " + t + " WHERE key_hash = ? AND expire_at <= " + now;
    deleteIfOwner = "DELETE FROM " + t + " WHERE key_hash = ? AND owner = ? AND expire_at > " + now;
    extendIfOwner = "UPDATE " + t + " SET expire_at = " + expiry + " WHERE key_hash = ? AND owner = ? AND expire_at > "
        + now;
    liveOwner = "SELECT owner FROM " + t + " WHERE key_hash = ? AND expire_at > " + now;
    cleanup = "DELETE FROM " + t + " WHERE expire_at <= " + now;
    probe = "SELECT key_hash, resource_id, owner, expire_at FROM " + t + " WHERE 1 = 0";
  }

  /** The ttl parameter of the insert and extend statements, in the unit their expression expects. */
  long ttlParameter(long ttlMillis) {
    return micros ? ttlMillis * 1_000 : ttlMillis;
  }
}
