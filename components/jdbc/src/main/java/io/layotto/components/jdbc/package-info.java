/**
 * Relational state and lock stores over JDBC and HikariCP: {@code postgresql} and {@code mysql} (MySQL
 * and MariaDB, both through MariaDB Connector/J). One store implementation per building block, {@link
 * io.layotto.components.jdbc.JdbcStateStore} and {@link io.layotto.components.jdbc.JdbcLockStore},
 * holds the logic; a {@link
 * io.layotto.components.jdbc.SqlDialect} supplies each database's SQL and connection-string syntax.
 */
@NullMarked
package io.layotto.components.jdbc;

import org.jspecify.annotations.NullMarked;
