package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisSettingsTest {

  private static RedisSettings parse(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return RedisSettings.from(new Metadata("state_demo", map));
  }

  @Test
  void defaultsFollowDaprAndLayotto() {
    RedisSettings s = parse("redisHost", "localhost:6380");
    assertThat(s.host()).isEqualTo("localhost");
    assertThat(s.port()).isEqualTo(6380);
    assertThat(s.database()).isZero();
    assertThat(s.password()).isNull();
    assertThat(s.username()).isNull();
    assertThat(s.tls()).isFalse();
    assertThat(s.maxRetries()).isEqualTo(3);
    assertThat(s.maxRetryBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.dialTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.defaultTtlSeconds()).isEmpty();
  }

  @Test
  void everyKeyIsRead() {
    RedisSettings s = parse("redisHost", "[::1]:7000", "redisPassword", "secret", "redisUsername", "app",
        "redisDB", "4", "enableTLS", "true", "maxRetries", "0", "maxRetryBackoff", "2000000",
        "dialTimeout", "750ms", "readTimeout", "2s", "writeTimeout", "5000", "ttlInSeconds", "60");
    assertThat(s.host()).isEqualTo("::1");
    assertThat(s.port()).isEqualTo(7000);
    assertThat(s.address()).isEqualTo("[::1]:7000");
    assertThat(s.password()).isEqualTo("secret");
    assertThat(s.username()).isEqualTo("app");
    assertThat(s.database()).isEqualTo(4);
    assertThat(s.tls()).isTrue();
    assertThat(s.maxRetries()).isZero();
    assertThat(s.maxRetryBackoff()).as("a bare number counts nanoseconds, as in Dapr").isEqualTo(Duration.ofMillis(2));
    assertThat(s.dialTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(s.commandTimeout()).as("the larger of read and write timeout").isEqualTo(Duration.ofSeconds(5));
    assertThat(s.defaultTtlSeconds()).isEqualTo(OptionalLong.of(60));
  }

  @Test
  void layottosDbIsAnAliasAndRedisDbWins() {
    assertThat(parse("redisHost", "h:1", "db", "2").database()).isEqualTo(2);
    assertThat(parse("redisHost", "h:1", "db", "2", "redisDB", "3").database()).isEqualTo(3);
  }

  @Test
  void aBareHostUsesTheDefaultPort() {
    assertThat(parse("redisHost", "redis.local").port()).isEqualTo(6379);
  }

  @ParameterizedTest
  @ValueSource(strings = {"host:", "host:0", "host:65536", "host:port", ":6379", "a:b:c", "[::1", "redis://h:1"})
  void aMalformedRedisHostIsRejectedNamingKeyAndValue(String address) {
    ComponentException e = assertFailsWith(() -> parse("redisHost", address), Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("redisHost", "'" + address + "'", "state_demo");
  }

  @Test
  void redisHostIsRequired() {
    ComponentException e = assertFailsWith(() -> parse("redisPassword", "x"), Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("redisHost");
  }

  @Test
  void badValuesAreRejectedNamingKeyAndValue() {
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "redisDB", "-1"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("redisDB", "-1");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "db", "x"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("'db'", "'x'");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "enableTLS", "maybe"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("enableTLS", "maybe");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "readTimeout", "soon"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("readTimeout", "soon");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "dialTimeout", "0s"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("dialTimeout", "0s");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "ttlInSeconds", "0"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("ttlInSeconds", "'0'");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "maxRetries", "-2"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("maxRetries", "-2");
    assertThat(assertFailsWith(() -> parse("redisHost", "h:1", "redisUsername", "app"), Kind.INVALID_ARGUMENT).getMessage())
        .contains("redisUsername", "redisPassword");
  }

  @Test
  void aComponentTtlOfMinusOneMeansNoExpiry() {
    assertThat(parse("redisHost", "h:1", "ttlInSeconds", "-1").defaultTtlSeconds()).isEmpty();
  }

  @Test
  void thePasswordNeverAppearsInText() {
    RedisSettings s = parse("redisHost", "h:1", "redisPassword", "hunter2");
    assertThat(s.toString()).doesNotContain("hunter2").contains("h:1");
  }

  @Test
  void theSchemaDeclaresEveryKeyWithADescription() {
    MetadataSchema schema = RedisSettings.SCHEMA;
    assertThat(schema.fields()).extracting(MetadataSchema.Field::name).containsExactly(
        "redisHost", "redisPassword", "redisUsername", "redisDB", "db", "enableTLS", "maxRetries",
        "maxRetryBackoff", "dialTimeout", "readTimeout", "writeTimeout", "ttlInSeconds");
    assertThat(schema.fields()).allSatisfy(f -> assertThat(f.description()).isNotBlank());
    assertThat(schema.field("redisHost").orElseThrow().required()).isTrue();
    assertThat(schema.field("redisPassword").orElseThrow().type()).isEqualTo(MetadataSchema.Type.SECRET);
    assertThat(schema.field("redisDB").orElseThrow().defaultValue()).isEqualTo("0");
    assertThat(schema.validate(Map.of("redisHost", "h:1", "keyPrefix", "appid"))).isEmpty();
    assertThat(schema.validate(Map.of("redisPassword", "x", "enableTLS", "sometimes")))
        .anySatisfy(p -> assertThat(p).contains("redisHost"))
        .anySatisfy(p -> assertThat(p).contains("enableTLS", "sometimes"));
  }
}
