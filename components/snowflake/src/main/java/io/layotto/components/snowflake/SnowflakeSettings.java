package io.layotto.components.snowflake;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A snowflake sequencer's validated metadata.
 *
 * @param workerId a fixed worker id; empty when worker ids are leased from {@code database}
 * @param database where worker ids are leased; null with a fixed worker id
 */
record SnowflakeSettings(String componentName, SnowflakeLayout layout, Instant startTime, Duration maxClockBackward,
    OptionalInt workerId, @Nullable LeaseDatabase database, Duration leaseTtl) {

  /**
   * The lease table's database.
   *
   * @param jdbcUrl a {@code jdbc:postgresql:}, {@code jdbc:mariadb:} or {@code jdbc:mysql:} URL
   */
  record LeaseDatabase(String jdbcUrl, @Nullable String user, @Nullable String password, String table) {
    boolean isPostgresql() {
      return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
      return "LeaseDatabase[" + jdbcUrl.replaceAll("password=[^&;]*", "password=***") + ", table=" + table + "]";
    }
  }

  static final String WORKER_ID = "workerId";
  static final String JDBC_URL = "jdbcUrl";
  static final String MYSQL_HOST = "mysqlHost";
  static final String DATABASE_NAME = "databaseName";
  static final String USER_NAME = "userName";
  static final String PASSWORD = "password";
  static final String TABLE_NAME = "tableName";
  static final String LEASE_TTL = "leaseTtl";
  static final String TIME_BITS = "timeBits";
  static final String WORKER_BITS = "workerBits";
  static final String SEQ_BITS = "seqBits";
  static final String START_TIME = "startTime";
  static final String MAX_CLOCK_BACKWARD = "maxClockBackward";

  static final String DEFAULT_TABLE = "layotto_snowflake_worker";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  static final MetadataSchema SCHEMA = MetadataSchema.builder()
      .optional(WORKER_ID, Type.INT, null, "fixed worker id of this sidecar (0 .. 2^workerBits-1); when unset,"
          + " a worker id is leased from the database (jdbcUrl or mysqlHost)")
      .optional(JDBC_URL, Type.STRING, null, "database of the worker id leases: jdbc:postgresql://host:port/db,"
          + " jdbc:mariadb://host:port/db or jdbc:mysql://host:port/db")
      .optional(MYSQL_HOST, Type.STRING, null, "Layotto's form: MySQL/MariaDB host:port of the leases (with databaseName)")
      .optional(DATABASE_NAME, Type.STRING, null, "Layotto's form: database of the leases (with mysqlHost)")
      .optional(USER_NAME, Type.STRING, null, "database user")
      .optional(PASSWORD, Type.SECRET, null, "database password")
      .optional(TABLE_NAME, Type.STRING, DEFAULT_TABLE, "lease table, created if absent")
      .optional(LEASE_TTL, Type.DURATION, "30s", "a lease not renewed for this long frees the worker id; renewed every"
          + " third of it, and no id is made once it ran out unrenewed")
      .optional(TIME_BITS, Type.INT, "41", "bits of the millisecond timestamp (41 bits last 69 years)")
      .optional(WORKER_BITS, Type.INT, "10", "bits of the worker id")
      .optional(SEQ_BITS, Type.INT, "12", "bits of the per-millisecond sequence; 1 + timeBits + workerBits + seqBits = 64")
      .optional(START_TIME, Type.STRING, "2022-01-01", "epoch of the timestamps: a UTC date (yyyy-mm-dd) or an ISO instant")
      .optional(MAX_CLOCK_BACKWARD, Type.DURATION, "1s", "a clock going backwards by up to this is waited out;"
          + " a larger jump fails id requests with UNAVAILABLE until the clock has caught up; a bare number counts ms")
      .build();

  static SnowflakeSettings from(Metadata metadata) {
    String name = metadata.componentName();
    int timeBits = metadata.getInt(TIME_BITS, 41);
    int workerBits = metadata.getInt(WORKER_BITS, 10);
    int seqBits = metadata.getInt(SEQ_BITS, 12);
    SnowflakeLayout layout;
    try {
      layout = new SnowflakeLayout(timeBits, workerBits, seqBits);
    } catch (IllegalArgumentException e) {
      throw ComponentException.invalidArgument("metadata '" + TIME_BITS + "' (" + timeBits + "), '" + WORKER_BITS
          + "' (" + workerBits + ") and '" + SEQ_BITS + "' (" + seqBits + ") of component '" + name
          + "' are invalid: 1 + timeBits + workerBits + seqBits must be 64, each at least 1");
    }
    if (workerBits > 31) {
      throw invalid(name, WORKER_BITS, Integer.toString(workerBits), "at most 31");
    }
    String start = metadata.getString(START_TIME, "2022-01-01");
    Instant startTime;
    try {
      startTime = start.contains("T") ? Instant.parse(start) : LocalDate.parse(start).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw invalid(name, START_TIME, start, "a date such as 2022-01-01 or an instant such as 2022-01-01T00:00:00Z");
    }
    Instant now = Instant.now();
    if (startTime.isAfter(now)) {
      throw invalid(name, START_TIME, start, "a time in the past");
    }
    if (now.toEpochMilli() - startTime.toEpochMilli() > layout.maxTime()) {
      throw invalid(name, TIME_BITS, Integer.toString(timeBits), "more bits: " + timeBits + " bits of milliseconds"
          + " after startTime " + start + " ran out at " + startTime.plusMillis(layout.maxTime()));
    }
    Duration backward = metadata.getDuration(MAX_CLOCK_BACKWARD, Duration.ofSeconds(1), ChronoUnit.MILLIS);
    if (backward.isNegative() || backward.compareTo(Duration.ofMinutes(1)) > 0) {
      throw invalid(name, MAX_CLOCK_BACKWARD, metadata.get(MAX_CLOCK_BACKWARD).orElse(""), "a duration from 0 to 1m");
    }
    Duration ttl = metadata.getDuration(LEASE_TTL, Duration.ofSeconds(30), ChronoUnit.SECONDS);
    if (ttl.compareTo(Duration.ofSeconds(3)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
      throw invalid(name, LEASE_TTL, metadata.get(LEASE_TTL).orElse(""), "a duration from 3s to 1h");
    }
    OptionalInt workerId = OptionalInt.empty();
    LeaseDatabase database = null;
    boolean hasDatabase = metadata.get(JDBC_URL).isPresent() || metadata.get(MYSQL_HOST).isPresent();
    if (metadata.get(WORKER_ID).isPresent()) {
      if (hasDatabase) {
        throw ComponentException.invalidArgument("component '" + name + "' sets both '" + WORKER_ID
            + "' and a lease database ('" + JDBC_URL + "'/'" + MYSQL_HOST + "'); set one of them");
      }
      int id = metadata.getInt(WORKER_ID, 0);
      if (id < 0 || id > layout.maxWorker()) {
        throw invalid(name, WORKER_ID, Integer.toString(id), "a worker id from 0 to " + layout.maxWorker()
            + " (workerBits " + workerBits + ")");
      }
      workerId = OptionalInt.of(id);
    } else if (hasDatabase) {
      database = database(metadata);
    } else {
      throw ComponentException.invalidArgument("component '" + name + "' needs a worker id: set '" + WORKER_ID
          + "' (fixed, unique per sidecar) or '" + JDBC_URL + "' / '" + MYSQL_HOST + "'+'" + DATABASE_NAME
          + "' to lease one from a database");
    }
    return new SnowflakeSettings(name, layout, startTime, backward, workerId, database, ttl);
  }

  private static LeaseDatabase database(Metadata metadata) {
    String name = metadata.componentName();
    String url;
    if (metadata.get(JDBC_URL).isPresent()) {
      url = metadata.require(JDBC_URL);
      if (!url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
        throw invalid(name, JDBC_URL, url.replaceAll("password=[^&;]*", "password=***"),
            "a jdbc:postgresql://, jdbc:mariadb:// or jdbc:mysql:// URL");
      }
      if (url.startsWith("jdbc:mysql://")) {
        url = "jdbc:mariadb://" + url.substring("jdbc:mysql://".length()); // the MariaDB driver serves both
      }
    } else {
      String host = metadata.require(MYSQL_HOST);
      if (!host.matches("[A-Za-z0-9._\\-]+(:\\d{1,5})?")) {
        throw invalid(name, MYSQL_HOST, host, "host or host:port");
      }
      String database = metadata.require(DATABASE_NAME);
      if (!IDENTIFIER.matcher(database).matches()) {
        throw invalid(name, DATABASE_NAME, database, "a database name of letters, digits and underscores");
      }
      url = "jdbc:mariadb://" + host + "/" + database;
    }
    String table = metadata.getString(TABLE_NAME, DEFAULT_TABLE);
    if (!IDENTIFIER.matcher(table).matches()) {
      throw invalid(name, TABLE_NAME, table, "a name of letters, digits and underscores (not starting with a digit)");
    }
    return new LeaseDatabase(url, metadata.get(USER_NAME).orElse(null), metadata.get(PASSWORD).orElse(null), table);
  }

  private static ComponentException invalid(String component, String key, String value, String expected) {
    return ComponentException.invalidArgument("metadata '" + key + "' of component '" + component + "' is '" + value
        + "', expected " + expected);
  }
}
