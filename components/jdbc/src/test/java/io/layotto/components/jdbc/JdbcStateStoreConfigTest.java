package io.layotto.components.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcStateStoreConfigTest {

  private static final String PG = "host=localhost user=postgres database=test";
  private static final String MY = "root:@tcp(localhost:3306)/test";

  private static Metadata metadata(String connectionString, String... pairs) {
    Map<String, String> map = new HashMap<>();
    map.put("connectionString", connectionString);
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return new Metadata("store1", map);
  }

  @Test
  void defaultsFollowDapr() {
    JdbcStateStoreConfig pg = JdbcStateStoreConfig.from(metadata(PG), new PostgresqlDialect());
    assertThat(pg.table()).isEqualTo(new TableName(null, "state"));
    assertThat(pg.createSchema()).isNull();
    assertThat(pg.queryTimeoutSeconds()).isEqualTo(20);
    assertThat(pg.cleanupIntervalSeconds()).isEqualTo(3600);
    assertThat(pg.maxConns()).isEqualTo(10);

    JdbcStateStoreConfig my = JdbcStateStoreConfig.from(metadata(MY), new MysqlDialect());
    assertThat(my.table()).isEqualTo(new TableName("test", "state"));
    assertThat(my.createSchema()).isNull();
  }

  @Test
  void mysqlSchemaNameIsCreatedWhenItIsNotTheConnectedDatabase() {
    JdbcStateStoreConfig named = JdbcStateStoreConfig.from(metadata(MY, "schemaName", "other", "tableName", "t1"), new MysqlDialect());
    assertThat(named.table()).isEqualTo(new TableName("other", "t1"));
    assertThat(named.createSchema()).isEqualTo("other");

    JdbcStateStoreConfig noDatabase = JdbcStateStoreConfig.from(metadata("root:@tcp(localhost:3306)/"), new MysqlDialect());
    assertThat(noDatabase.table()).isEqualTo(new TableName("dapr_state_store", "state"));
    assertThat(noDatabase.createSchema()).isEqualTo("dapr_state_store");
  }

  @Test
  void postgresqlTableNameMayCarryASchema() {
    JdbcStateStoreConfig pg = JdbcStateStoreConfig.from(metadata(PG, "tableName", "app.kv"), new PostgresqlDialect());
    assertThat(pg.table()).isEqualTo(new TableName("app", "kv"));
    assertThat(pg.table().qualified(new PostgresqlDialect())).isEqualTo("\"app\".\"kv\"");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "postgresql|tableName|state; DROP TABLE x",
      "postgresql|tableName|a.b.c",
      "postgresql|tableName|1abc",
      "mysql|tableName|my.table",
      "mysql|schemaName|my-schema",
      "mysql|tableName|a`b",
      "postgresql|timeoutInSeconds|0",
      "postgresql|cleanupIntervalInSeconds|-1",
      "mysql|maxConns|0",
      "mysql|maxConns|many",
  })
  void badValuesAreInvalidArgumentsNamingKeyAndValue(String type, String key, String value) {
    SqlDialect dialect = type.equals("mysql") ? new MysqlDialect() : new PostgresqlDialect();
    assertThatThrownBy(() -> JdbcStateStoreConfig.from(metadata(type.equals("mysql") ? MY : PG, key, value), dialect))
        .isInstanceOfSatisfying(ComponentException.class, e -> {
          assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'" + key + "'").contains(value).contains("store1");
        });
  }

  @Test
  void schemasDeclareDaprKeysWithDefaults() {
    MetadataSchema pg = new PostgresqlStateStoreFactory().metadataSchema();
    MetadataSchema my = new MysqlStateStoreFactory().metadataSchema();
    assertThat(pg.fields()).extracting(MetadataSchema.Field::name)
        .containsExactly("connectionString", "tableName", "timeoutInSeconds", "cleanupIntervalInSeconds", "maxConns");
    assertThat(my.fields()).extracting(MetadataSchema.Field::name)
        .containsExactly("connectionString", "tableName", "schemaName", "timeoutInSeconds", "cleanupIntervalInSeconds", "maxConns");
    assertThat(pg.field("connectionString").orElseThrow().required()).isTrue();
    assertThat(pg.field("connectionString").orElseThrow().type()).isEqualTo(MetadataSchema.Type.SECRET);
    assertThat(my.field("tableName").orElseThrow().defaultValue()).isEqualTo("state");
    assertThat(my.field("timeoutInSeconds").orElseThrow().defaultValue()).isEqualTo("20");
    assertThat(my.field("cleanupIntervalInSeconds").orElseThrow().defaultValue()).isEqualTo("3600");
    assertThat(my.field("maxConns").orElseThrow().defaultValue()).isEqualTo("10");
    assertThat(pg.validate(Map.of("connectionString", "x", "maxConns", "ten"))).singleElement().asString().contains("maxConns");
  }
}
