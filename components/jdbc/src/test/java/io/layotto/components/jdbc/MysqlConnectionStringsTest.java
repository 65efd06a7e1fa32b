package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MysqlConnectionStringsTest {

  private final MysqlDialect dialect = new MysqlDialect();

  @Test
  void goDsnAsInDaprDocs() {
    ConnectionSettings s = MysqlConnectionStrings.parse("root:example@tcp(db.example:3307)/?allowNativePasswords=true");
    assertThat(s.user()).isEqualTo("root");
    assertThat(s.password()).isEqualTo("example");
    assertThat(s.hosts()).containsExactly(new HostPort("db.example", 3307));
    assertThat(s.database()).isNull();
    assertThat(s.properties()).isEmpty();
    assertThat(dialect.jdbcUrl(s)).isEqualTo("jdbc:mariadb://db.example:3307/");
  }

  @Test
  void goDsnPasswordMayHoldAtColonAndSlash() {
    ConnectionSettings s = MysqlConnectionStrings.parse("app:p@ss:w/rd@tcp(127.0.0.1)/test?parseTime=true&timeout=3s&readTimeout=1m");
    assertThat(s.user()).isEqualTo("app");
    assertThat(s.password()).isEqualTo("p@ss:w/rd");
    assertThat(s.hosts()).containsExactly(new HostPort("127.0.0.1", 3306));
    assertThat(s.database()).isEqualTo("test");
    assertThat(s.properties()).isEqualTo(Map.of("connectTimeout", "3000", "socketTimeout", "60000"));
  }

  @Test
  void goDsnDefaultsSystemVariablesTlsAndUnixSockets() {
    ConnectionSettings minimal = MysqlConnectionStrings.parse("/test");
    assertThat(minimal.hosts()).containsExactly(new HostPort("127.0.0.1", 3306));
    assertThat(minimal.user()).isNull();
    assertThat(minimal.password()).isNull();

    ConnectionSettings vars = MysqlConnectionStrings.parse("u@tcp([::1]:3306)/db?tls=skip-verify&sql_mode=ANSI&autocommit=1");
    assertThat(vars.user()).isEqualTo("u");
    assertThat(vars.hosts()).containsExactly(new HostPort("::1", 3306));
    assertThat(vars.properties()).containsEntry("sslMode", "trust").containsEntry("sessionVariables", "sql_mode=ANSI,autocommit=1");

    ConnectionSettings unix = MysqlConnectionStrings.parse("u:p@unix(/run/mysqld/mysqld.sock)/db");
    assertThat(unix.properties()).containsEntry("localSocket", "/run/mysqld/mysqld.sock");
  }

  @Test
  void mariadbAndMysqlJdbcUrlsBothUseTheMariadbDriver() {
    ConnectionSettings a = MysqlConnectionStrings.parse("jdbc:mariadb://h1:3306,h2/test?user=root&password=pw%21&connectTimeout=2000");
    ConnectionSettings b = MysqlConnectionStrings.parse("jdbc:mysql://h1:3306,h2/test?user=root&password=pw%21&connectTimeout=2000");
    assertThat(a).isEqualTo(b);
    assertThat(a.hosts()).containsExactly(new HostPort("h1", 3306), new HostPort("h2", 3306));
    assertThat(a.user()).isEqualTo("root");
    assertThat(a.password()).isEqualTo("pw!");
    assertThat(a.properties()).isEqualTo(Map.of("connectTimeout", "2000"));
    assertThat(dialect.jdbcUrl(a)).isEqualTo("jdbc:mariadb://h1:3306,h2:3306/test");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "root:secret-pw@tcp(localhost:3306)",
      "root:secret-pw@tcp(localhost:3306/db",
      "root:secret-pw@udp(localhost:3306)/db",
      "root:secret-pw@tcp(localhost:port)/db",
      "root:secret-pw@tcp(localhost:3306)/db?timeout=soon",
      "root:secret-pw@tcp(localhost:3306)/db?tls=custom",
      "root:secret-pw@tcp(localhost:3306)/db?bad-name=1",
      "jdbc:postgresql://localhost/db?password=secret-pw",
      "jdbc:mariadb://root:secret-pw@localhost/db",
      "",
  })
  void malformedStringsAreInvalidArgumentsNamingTheKeyButNotThePassword(String text) {
    assertThatThrownBy(() -> JdbcStateStoreConfig.from(
        new Metadata("my", Map.of("connectionString", text)), dialect))
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'connectionString'").doesNotContain("secret-pw");
        });
  }
}
