package io.layotto.components.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  private static KafkaSettings parse(Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(Map.of(KafkaSettings.BROKERS, "127.0.0.1:9092"));
    properties.putAll(extra);
    return KafkaSettings.from(new Metadata("events", properties));
  }

  private static void assertInvalid(Map<String, String> extra, String... fragments) {
    assertThatThrownBy(() -> parse(extra))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void defaultsFollowDapr() {
    KafkaSettings s = parse(Map.of());
    assertThat(s.brokers()).containsExactly("127.0.0.1:9092");
    assertThat(s.consumerGroup()).isNull();
    assertThat(s.clientId()).isEqualTo("layotto-events");
    assertThat(s.initialOffset()).isEqualTo(KafkaSettings.InitialOffset.NEWEST);
    assertThat(s.initialOffset().resetPolicy()).isEqualTo("latest");
    assertThat(s.maxMessageBytes()).isEqualTo(1024 * 1024);
    assertThat(s.compression()).isEqualTo(KafkaSettings.Compression.NONE);
    assertThat(s.consumeRetryInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.subscribeTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void readsEveryKey() {
    KafkaSettings s = parse(Map.ofEntries(
        Map.entry(KafkaSettings.BROKERS, " kafka-1:9092, kafka-2:9093 "),
        Map.entry(KafkaSettings.CONSUMER_GROUP, "orders"),
        Map.entry(KafkaSettings.CLIENT_ID, "shop.api"),
        Map.entry(KafkaSettings.INITIAL_OFFSET, "oldest"),
        Map.entry(KafkaSettings.MAX_MESSAGE_BYTES, "4096"),
        Map.entry(KafkaSettings.AUTH_TYPE, "none"),
        Map.entry(KafkaSettings.COMPRESSION, "zstd"),
        Map.entry(KafkaSettings.CONSUME_RETRY_INTERVAL, "250"),
        Map.entry(KafkaSettings.HEARTBEAT_INTERVAL, "1s"),
        Map.entry(KafkaSettings.SESSION_TIMEOUT, "20s"),
        Map.entry(KafkaSettings.PUBLISH_TIMEOUT, "2s"),
        Map.entry(KafkaSettings.SUBSCRIBE_TIMEOUT, "1m")));
    assertThat(s.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9093");
    assertThat(s.consumerGroup()).isEqualTo("orders");
    assertThat(s.clientId()).isEqualTo("shop.api");
    assertThat(s.initialOffset().resetPolicy()).isEqualTo("earliest");
    assertThat(s.maxMessageBytes()).isEqualTo(4096);
    assertThat(s.compression()).isEqualTo(KafkaSettings.Compression.ZSTD);
    assertThat(s.consumeRetryInterval()).as("a bare number counts milliseconds").isEqualTo(Duration.ofMillis(250));
    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.publishTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.subscribeTimeout()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void retryDelayDoublesUpToThirtySeconds() {
    KafkaSettings s = parse(Map.of(KafkaSettings.CONSUME_RETRY_INTERVAL, "100ms"));
    assertThat(s.retryDelay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(s.retryDelay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(s.retryDelay(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(s.retryDelay(60)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void brokersAreRequiredAndChecked() {
    assertThatThrownBy(() -> KafkaSettings.from(new Metadata("events", Map.of())))
        .isInstanceOf(ComponentException.class).hasMessageContaining("'brokers'").hasMessageContaining("required");
    assertInvalid(Map.of(KafkaSettings.BROKERS, "localhost"), "'brokers'", "'localhost'", "host:port");
    assertInvalid(Map.of(KafkaSettings.BROKERS, "a:9092,,b:9092"), "'brokers'", "host:port");
    assertInvalid(Map.of(KafkaSettings.BROKERS, "kafka://a:9092"), "'brokers'", "'kafka://a:9092'");
    assertInvalid(Map.of(KafkaSettings.BROKERS, "a:70000"), "'brokers'", "'a:70000'");
  }

  @Test
  void onlyAuthTypeNoneIsAccepted() {
    assertInvalid(Map.of(KafkaSettings.AUTH_TYPE, "password"), "'authType'", "'password'", "none",
        "password, mtls, oidc, awsiam");
    assertInvalid(Map.of(KafkaSettings.AUTH_TYPE, "mtls"), "'authType'", "'mtls'");
  }

  @Test
  void enumerationsNameTheAllowedValues() {
    assertInvalid(Map.of(KafkaSettings.INITIAL_OFFSET, "earliest"), "'initialOffset'", "'earliest'",
        "one of [newest, oldest]");
    assertInvalid(Map.of(KafkaSettings.COMPRESSION, "brotli"), "'compression'", "'brotli'",
        "one of [none, gzip, snappy, lz4, zstd]");
  }

  @Test
  void numbersAndDurationsAreChecked() {
    assertInvalid(Map.of(KafkaSettings.MAX_MESSAGE_BYTES, "0"), "'maxMessageBytes'", "'0'", "1 or more");
    assertInvalid(Map.of(KafkaSettings.MAX_MESSAGE_BYTES, "big"), "'maxMessageBytes'", "'big'", "an integer");
    assertInvalid(Map.of(KafkaSettings.CONSUME_RETRY_INTERVAL, "soon"), "'consumeRetryInterval'", "'soon'");
    assertInvalid(Map.of(KafkaSettings.PUBLISH_TIMEOUT, "0s"), "'publishTimeout'", "'0s'", "at least 1ms");
    assertInvalid(Map.of(KafkaSettings.HEARTBEAT_INTERVAL, "10s", KafkaSettings.SESSION_TIMEOUT, "10s"),
        "'heartbeatInterval'", "'10s'", "shorter than sessionTimeout");
    assertInvalid(Map.of(KafkaSettings.CLIENT_ID, "my client"), "'clientID'", "'my client'");
  }

  @Test
  void schemaRejectsBadValuesBeforeStartUp() {
    assertThat(KafkaSettings.SCHEMA.validate(Map.of())).singleElement().asString().contains("'brokers' is required");
    assertThat(KafkaSettings.SCHEMA.validate(Map.of(KafkaSettings.BROKERS, "a:1", KafkaSettings.AUTH_TYPE, "oidc",
        KafkaSettings.INITIAL_OFFSET, "first")))
        .containsExactlyInAnyOrder("'initialOffset' is 'first', expected one of [newest, oldest]",
            "'authType' is 'oidc', expected one of [none]");
  }

  @Test
  void factoryIsFoundByTypeAndDeclaresItsFeatures() {
    List<PubSubFactory> factories = ServiceLoader.load(PubSubFactory.class).stream()
        .map(ServiceLoader.Provider::get).filter(f -> f.type().equals("kafka")).toList();
    assertThat(factories).singleElement().isInstanceOf(KafkaPubSubFactory.class);
    PubSubFactory factory = factories.getFirst();
    assertThat(factory.capabilities()).containsExactly(PubSubFeature.BULK_PUBLISH);
    assertThat(factory.create().features()).isEqualTo(factory.capabilities());
    assertThat(factory.metadataSchema().field(KafkaSettings.BROKERS)).hasValueSatisfying(f -> assertThat(f.required()).isTrue());
  }

  @Test
  void topicNamesFollowKafkasRule() {
    KafkaPubSub.checkTopic("orders.v1_eu-west");
    for (String bad : List.of("", ".", "..", "with space", "a/b", "ü", "x".repeat(250))) {
      assertThatThrownBy(() -> KafkaPubSub.checkTopic(bad))
          .isInstanceOfSatisfying(ComponentException.class,
              e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
          .hasMessageContaining("not a valid Kafka topic name");
    }
  }
}
