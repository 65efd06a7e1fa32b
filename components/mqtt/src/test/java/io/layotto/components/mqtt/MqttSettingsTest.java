package io.layotto.components.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MqttSettingsTest {

  private static MqttSettings read(Version version, Map<String, String> metadata) {
    return MqttSettings.from(new Metadata("mq", metadata), version);
  }

  private static MqttSettings read(Map<String, String> metadata) {
    return read(Version.MQTT_5, metadata);
  }

  private static Map<String, String> with(String key, String value) {
    Map<String, String> m = new HashMap<>();
    m.put(MqttSettings.URL, "tcp://127.0.0.1:1883");
    m.put(key, value);
    return m;
  }

  private static void assertInvalid(Map<String, String> metadata, String... fragments) {
    assertThatThrownBy(() -> read(metadata))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("component 'mq'")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void defaultsFollowDapr() {
    MqttSettings s = read(Map.of(MqttSettings.URL, "tcp://broker.example:1884"));
    assertThat(s.host()).isEqualTo("broker.example");
    assertThat(s.port()).isEqualTo(1884);
    assertThat(s.tls()).isFalse();
    assertThat(s.qos()).isEqualTo(1);
    assertThat(s.retain()).isFalse();
    assertThat(s.cleanSession()).isFalse();
    assertThat(s.sharedSubscriptions()).isTrue();
    assertThat(s.backOffMaxRetries()).isEqualTo(-1);
    assertThat(s.sessionExpiry()).isEqualTo(Duration.ofDays(1));
    assertThat(s.publishTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.instanceId()).isNotBlank();
    assertThat(s.username()).isNull();
  }

  @Test
  void urlSchemesPortsAndCredentials() {
    assertThat(read(Map.of(MqttSettings.URL, "mqtt://h")).port()).isEqualTo(1883);
    MqttSettings tls = read(Map.of(MqttSettings.URL, "ssl://user:p%40ss:word@h"));
    assertThat(tls.tls()).isTrue();
    assertThat(tls.port()).isEqualTo(8883);
    assertThat(tls.username()).isEqualTo("user");
    assertThat(tls.password()).isEqualTo("p@ss:word");
    assertThat(tls.toString()).doesNotContain("p@ss").contains("user=user");
    assertThat(read(Map.of(MqttSettings.URL, "mqtts://[::1]:9000")).address()).isEqualTo("[::1]:9000");
  }

  @Test
  void badUrlsAreRefusedWithoutShowingThePassword() {
    assertInvalid(Map.of(MqttSettings.URL, "http://u:secret@h:1883"), "'url'", "tcp://", "u:***@h");
    assertThatThrownBy(() -> read(Map.of(MqttSettings.URL, "http://u:secret@h:1883"))).hasMessageNotContaining("secret");
    assertInvalid(Map.of(MqttSettings.URL, "tcp://:1883"), "'url'", "with a host");
    assertInvalid(Map.of(MqttSettings.URL, "tcp://h:1883/path"), "'url'", "without path");
    assertThatThrownBy(() -> read(Map.of())).isInstanceOf(ComponentException.class).hasMessageContaining("'url'")
        .hasMessageContaining("required");
  }

  @Test
  void qosZeroIsRefusedBecauseItCannotRedeliver() {
    assertInvalid(with(MqttSettings.QOS, "0"), "'qos' of component 'mq' is '0'", "1 or 2", "at-least-once");
    assertInvalid(with(MqttSettings.QOS, "3"), "'qos'", "'3'");
    assertThat(read(with(MqttSettings.QOS, "2")).qos()).isEqualTo(2);
  }

  @Test
  void otherBadValuesNameKeyAndValue() {
    assertInvalid(with(MqttSettings.BACK_OFF_MAX_RETRIES, "-2"), "'backOffMaxRetries'", "'-2'", "-1");
    assertInvalid(with(MqttSettings.KEEP_ALIVE, "70000"), "'keepAlive'", "'70000'", "65535s");
    assertInvalid(with(MqttSettings.SESSION_EXPIRY, "0"), "'sessionExpiry'", "'0'");
    assertInvalid(with(MqttSettings.PUBLISH_TIMEOUT, "0"), "'publishTimeout'", "greater than zero");
    assertInvalid(with(MqttSettings.RETAIN, "maybe"), "'retain'", "'maybe'", "true or false");
    assertInvalid(with(MqttSettings.CA_CERT, "-----BEGIN CERTIFICATE-----"), "'caCert'", "ssl://");
  }

  @Test
  void clientCertificatesAreRefusedAsUnsupported() {
    assertThatThrownBy(() -> read(with(MqttSettings.CLIENT_CERT, "pem")))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED))
        .hasMessageContaining("'clientCert'");
  }

  @Test
  void durationsAcceptGoSyntaxAndBareNumbers() {
    MqttSettings s = read(Map.of(MqttSettings.URL, "tcp://h", MqttSettings.REDELIVERY_DELAY, "250",
        MqttSettings.RECONNECT_WAIT, "3", MqttSettings.SESSION_EXPIRY, "2h", MqttSettings.INSTANCE_ID, "pod-1"));
    assertThat(s.redeliveryDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.reconnectWait()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.sessionExpiry()).isEqualTo(Duration.ofHours(2));
    assertThat(s.instanceId()).isEqualTo("pod-1");
  }

  @Test
  void schemasDeclareTheKeysOfEachVersion() {
    MetadataSchema v5 = MqttSettings.schema(Version.MQTT_5);
    MetadataSchema v3 = MqttSettings.schema(Version.MQTT_3);
    assertThat(v5.field(MqttSettings.URL)).hasValueSatisfying(f -> assertThat(f.required()).isTrue());
    assertThat(v5.field(MqttSettings.SESSION_EXPIRY)).isPresent();
    assertThat(v3.field(MqttSettings.SESSION_EXPIRY)).isEmpty();
    assertThat(v5.validate(Map.of())).singleElement().asString().contains("'url' is required");
    assertThat(v5.validate(Map.of(MqttSettings.URL, "tcp://h", MqttSettings.QOS, "one")))
        .singleElement().asString().contains("'qos' is 'one'");
    assertThat(new MqttPubSubFactory().type()).isEqualTo("mqtt");
    assertThat(new Mqtt3PubSubFactory().type()).isEqualTo("mqtt3");
    assertThat(new MqttPubSubFactory().capabilities()).isEqualTo(new MqttPubSubFactory().create().features());
    assertThat(new Mqtt3PubSubFactory().capabilities()).isEqualTo(new Mqtt3PubSubFactory().create().features());
  }

  @Test
  void bothTypesAreFoundByTheServiceLoader() {
    assertThat(java.util.ServiceLoader.load(io.layotto.spi.pubsub.PubSubFactory.class).stream()
        .map(p -> p.get().type()).toList()).contains("mqtt", "mqtt3");
  }

  @Test
  void clientIdsAreStableAndSlotsReused() {
    ClientIds ids = new ClientIds("host-a");
    int first = ids.acquire("g", "orders");
    int second = ids.acquire("g", "orders");
    assertThat(first).isZero();
    assertThat(second).isEqualTo(1);
    assertThat(ids.acquire("g", "other")).isZero();
    ids.release("g", "orders", first);
    assertThat(ids.acquire("g", "orders")).isZero();
    assertThat(ids.subscriber("g", "orders", 0)).isEqualTo("g-host-a-" + ClientIds.topicHash("orders") + "-0")
        .isEqualTo(new ClientIds("host-a").subscriber("g", "orders", 0));
    assertThat(ClientIds.topicHash("orders")).hasSize(8).isNotEqualTo(ClientIds.topicHash("orders2"));
  }
}
