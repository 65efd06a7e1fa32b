package io.layotto.components.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.nats.client.api.DeliverPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JetStreamSettingsTest {

  private static JetStreamSettings settings(Map<String, String> properties) {
    return JetStreamSettings.from(new Metadata("ps", properties));
  }

  private static Map<String, String> with(String... keysAndValues) {
    Map<String, String> map = new HashMap<>();
    map.put(JetStreamSettings.NATS_URL, "nats://127.0.0.1:4222");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static void assertInvalid(Map<String, String> properties, String... fragments) {
    assertThatThrownBy(() -> settings(properties))
        .isInstanceOfSatisfying(ComponentException.class,
            e -> assertThat(e.kind()).isEqualTo(ComponentException.Kind.INVALID_ARGUMENT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void defaultsFollowDaprAndJetStream() {
    JetStreamSettings s = settings(with());
    assertThat(s.servers()).containsExactly("nats://127.0.0.1:4222");
    assertThat(s.streamName()).isNull();
    assertThat(s.consumer().ackWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.consumer().maxDeliver()).isEqualTo(-1);
    assertThat(s.consumer().maxAckPending()).isEqualTo(1_000);
    assertThat(s.newStreams()).isEqualTo(new JetStreamSettings.StreamSettings(false, 1));
    assertThat(s.consumer().deliverPolicy().nats()).isEqualTo(DeliverPolicy.All);
    assertThat(s.nakDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void everyKeyIsRead() {
    JetStreamSettings s = settings(with(JetStreamSettings.NATS_URL, "nats://a:4222, nats://b:4222",
        JetStreamSettings.NAME, "sidecar", JetStreamSettings.STREAM_NAME, "ORDERS",
        ConsumerSettings.DURABLE_NAME, "worker", ConsumerSettings.ACK_WAIT, "2m",
        ConsumerSettings.MAX_DELIVER, "5", ConsumerSettings.DELIVER_POLICY, "new",
        JetStreamSettings.NAK_DELAY, "250", JetStreamSettings.REQUEST_TIMEOUT, "1s",
        JetStreamSettings.USER, "u", JetStreamSettings.PASSWORD, "secret",
        ConsumerSettings.MAX_ACK_PENDING, "20", JetStreamSettings.MEMORY_STORAGE, "true",
        JetStreamSettings.REPLICAS, "3"));
    assertThat(s.servers()).containsExactly("nats://a:4222", "nats://b:4222");
    assertThat(s.connectionName()).isEqualTo("sidecar");
    assertThat(s.streamName()).isEqualTo("ORDERS");
    assertThat(s.consumer()).isEqualTo(new ConsumerSettings("worker", Duration.ofMinutes(2), 5, 20,
        ConsumerSettings.StartPolicy.NEW));
    assertThat(s.newStreams()).isEqualTo(new JetStreamSettings.StreamSettings(true, 3));
    assertThat(s.nakDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.toString()).doesNotContain("secret");
  }

  @Test
  void badValuesNameKeyAndValue() {
    assertInvalid(Map.of(), "natsURL", "required");
    assertInvalid(with(JetStreamSettings.NATS_URL, "http://x:4222"), "natsURL", "http://x:4222");
    assertInvalid(with(JetStreamSettings.STREAM_NAME, "a.b"), "streamName", "a.b");
    assertInvalid(with(ConsumerSettings.ACK_WAIT, "soon"), "ackWait", "soon");
    assertInvalid(with(ConsumerSettings.MAX_DELIVER, "0"), "maxDeliver", "'0'");
    assertInvalid(with(ConsumerSettings.DELIVER_POLICY, "first"), "deliverPolicy", "first");
    assertInvalid(with(ConsumerSettings.MAX_ACK_PENDING, "0"), "maxAckPending", "'0'");
    assertInvalid(with(JetStreamSettings.REPLICAS, "7"), "replicas", "'7'");
    assertInvalid(with(JetStreamSettings.NAK_DELAY, "0ms"), "nakDelay", "greater than zero");
    assertInvalid(with(JetStreamSettings.JWT, "eyJ"), "seedKey");
    assertInvalid(with(JetStreamSettings.PASSWORD, "p"), "user");
  }

  @Test
  void subscriptionMetadataOverridesTheComponentDefaults() {
    ConsumerSettings base = settings(with(ConsumerSettings.ACK_WAIT, "10s")).consumer();
    ConsumerSettings own = base.overriddenBy(Map.of(ConsumerSettings.MAX_DELIVER, "3"), "subscription to topic 't'");
    assertThat(own.ackWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(own.maxDeliver()).isEqualTo(3);
    assertThatThrownBy(() -> base.overriddenBy(Map.of(ConsumerSettings.ACK_WAIT, "x"), "subscription to topic 't'"))
        .hasMessageContaining("subscription to topic 't'").hasMessageContaining("ackWait");
  }

  @Test
  void theSchemaDeclaresEveryKeyItReads() {
    assertThat(JetStreamSettings.SCHEMA.fields()).extracting(f -> f.name()).contains(
        "natsURL", "jwt", "seedKey", "token", "user", "password", "name", "streamName", "durableName",
        "ackWait", "maxDeliver", "maxAckPending", "memoryStorage", "replicas", "deliverPolicy", "consumerID", "nakDelay", "requestTimeout");
    assertThat(JetStreamSettings.SCHEMA.validate(Map.of())).singleElement().asString().contains("natsURL");
  }
}
