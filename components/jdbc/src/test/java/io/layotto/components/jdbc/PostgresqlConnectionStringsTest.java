package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.components.jdbc.ConnectionSettings.HostPort;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PostgresqlConnectionStringsTest {

  private final PostgresqlDialect dialect = new PostgresqlDialect();

  @Test
  void keywordValueFormAsInDaprDocs() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse(
        "host=localhost user=postgres password=example port=5432 database=test connect_timeout=10");
    assertThat(s.hosts()).containsExactly(new HostPort("localhost", 5432));
    assertThat(s.database()).isEqualTo("test");
    assertThat(s.user()).isEqualTo("postgres");
    assertThat(s.password()).isEqualTo("example");
    assertThat(s.properties()).containsEntry("connectTimeout", "10").doesNotContainKeys("password", "user");
    assertThat(dialect.jdbcUrl(s)).isEqualTo("jdbc:postgresql://localhost:5432/test");
  }

  @Test
  void keywordValueFormWithQuotesEscapesSpacesAndLibpqNames() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse(
        "  host = db.example  dbname='my db' password='it\\'s a secret' sslmode=require application_name=app search_path=s1 ");
    assertThat(s.hosts()).containsExactly(new HostPort("db.example", 5432));
    assertThat(s.database()).isEqualTo("my db");
    assertThat(s.password()).isEqualTo("it's a secret");
    assertThat(s.user()).isNull();
    assertThat(s.properties()).containsEntry("sslmode", "require").containsEntry("ApplicationName", "app")
        .containsEntry("currentSchema", "s1");
    assertThat(dialect.jdbcUrl(s)).isEqualTo("jdbc:postgresql://db.example:5432/my%20db");
  }

  @Test
  void keywordValueFormWithSeveralHostsAndUnknownRuntimeParameters() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse(
        "host=a,b port=5433,5434 user=u TimeZone=UTC pool_max_conns=4");
    assertThat(s.hosts()).containsExactly(new HostPort("a", 5433), new HostPort("b", 5434));
    assertThat(s.properties()).containsEntry("options", "-c TimeZone=UTC").doesNotContainKey("pool_max_conns");
    assertThat(s.database()).isNull();
    assertThat(dialect.jdbcUrl(s)).isEqualTo("jdbc:postgresql://a:5433,b:5434/");
  }

  @Test
  void postgresUrlWithEncodedCredentialsAndParameters() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse(
        "postgres://app%40corp:p%40ss%3Aw0rd@db.example:6543/orders?sslmode=disable&connect_timeout=3");
    assertThat(s.user()).isEqualTo("app@corp");
    assertThat(s.password()).isEqualTo("p@ss:w0rd");
    assertThat(s.hosts()).containsExactly(new HostPort("db.example", 6543));
    assertThat(s.database()).isEqualTo("orders");
    assertThat(s.properties()).containsEntry("sslmode", "disable").containsEntry("connectTimeout", "3");
  }

  @Test
  void postgresqlUrlWithIpv6HostsAndDefaults() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse("postgresql://[::1]:5432,[fe80::2]/db");
    assertThat(s.hosts()).containsExactly(new HostPort("::1", 5432), new HostPort("fe80::2", 5432));
    assertThat(s.user()).isNull();
    assertThat(dialect.jdbcUrl(s)).isEqualTo("jdbc:postgresql://[::1]:5432,[fe80::2]:5432/db");
    assertThat(PostgresqlConnectionStrings.parse("postgres://").hosts()).containsExactly(new HostPort("localhost", 5432));
  }

  @Test
  void jdbcUrlKeepsDriverPropertiesAndTakesCredentialsOut() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse(
        "jdbc:postgresql://h1:5432,h2:5433/test?user=postgres&password=s%26cret&ssl=false&currentSchema=x");
    assertThat(s.hosts()).containsExactly(new HostPort("h1", 5432), new HostPort("h2", 5433));
    assertThat(s.database()).isEqualTo("test");
    assertThat(s.user()).isEqualTo("postgres");
    assertThat(s.password()).isEqualTo("s&cret");
    assertThat(s.properties()).isEqualTo(Map.of("ssl", "false", "currentSchema", "x"));
    assertThat(PostgresqlConnectionStrings.parse("jdbc:postgresql:test").hosts())
        .containsExactly(new HostPort("localhost", 5432));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "just-some-text",
      "host=localhost password",
      "host=localhost password='secret-pw",
      "host=localhost port=99999 password=secret-pw",
      "host=a,b port=1,2,3 password=secret-pw",
      "postgres://user:secret-pw@host:notaport/db",
      "postgres://user:secret-pw%zz@host/db",
      "jdbc:postgresql://user:secret-pw@host/db",
      "jdbc:postgresql://host:5432",
      "host=x 'bad key'=secret-pw",
  })
  void malformedStringsAreInvalidArgumentsNamingTheKeyButNotThePassword(String text) {
    assertThatThrownBy(() -> JdbcStateStoreConfig.from(
        new Metadata("pg", Map.of("connectionString", text)), dialect))
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'connectionString'").contains("'pg'").doesNotContain("secret-pw");
        });
  }

  @Test
  void missingConnectionStringIsInvalidArgument() {
    assertThatThrownBy(() -> JdbcStateStoreConfig.from(new Metadata("pg", Map.of()), dialect))
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'connectionString'");
        });
  }

  @Test
  void settingsNeverPrintThePassword() {
    ConnectionSettings s = PostgresqlConnectionStrings.parse("host=h user=u password=secret-pw");
    assertThat(s.toString()).doesNotContain("secret-pw");
    assertThat(s.describe()).isEqualTo("h:5432/");
    assertThat(List.of(s.properties().values())).asString().doesNotContain("secret-pw");
  }
}
