package io.layotto.components.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.components.rabbitmq.RabbitMqSettings.ExchangeKind;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.SubscribeRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Metadata parsing of the RabbitMQ pub/sub (no broker needed). */
class RabbitMqSettingsTest {

  private static RabbitMqSettings settings(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of("host", "amqp://user:pw@broker.example:5673/vh"));
    m.putAll(extra);
    return RabbitMqSettings.from(new Metadata("mq", m));
  }

  private static void assertInvalid(Map<String, String> metadata, String... fragments) {
    assertThatThrownBy(() -> RabbitMqSettings.from(new Metadata("mq", metadata)))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void defaultsAreDurablePersistentConfirmedAndRequeueing() {
    RabbitMqSettings s = settings(Map.of());
    assertThat(s.address()).isEqualTo("broker.example:5673");
    assertThat(s.durable()).isTrue();
    assertThat(s.deletedWhenUnused()).isFalse();
    assertThat(s.deliveryMode()).isEqualTo(2);
    assertThat(s.publisherConfirm()).isTrue();
    assertThat(s.requeueInFailure()).isTrue();
    assertThat(s.exchangeKind()).isEqualTo(ExchangeKind.FANOUT);
    assertThat(s.reconnectWait()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.publishTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.defaultTtlSeconds()).isEqualTo(OptionalLong.empty());
    assertThat(s.toString()).doesNotContain("pw@").contains("broker.example:5673");
  }

  @Test
  void readsDaprKeys() {
    Map<String, String> m = new HashMap<>(Map.of("durable", "false", "deletedWhenUnused", "true", "deliveryMode", "1",
        "prefetchCount", "7", "maxLen", "100", "maxLenBytes", "2048", "exchangeKind", "topic"));
    m.putAll(Map.of("publisherConfirm", "false", "reconnectWaitSeconds", "2", "enableDeadLetter", "true",
        "ttlInSeconds", "60"));
    RabbitMqSettings s = settings(m);
    assertThat(s.durable()).isFalse();
    assertThat(s.deletedWhenUnused()).isTrue();
    assertThat(s.deliveryMode()).isEqualTo(1);
    assertThat(s.prefetchCount()).isEqualTo(7);
    assertThat(s.maxLen()).isEqualTo(100);
    assertThat(s.maxLenBytes()).isEqualTo(2048);
    assertThat(s.exchangeKind()).isEqualTo(ExchangeKind.TOPIC);
    assertThat(s.publisherConfirm()).isFalse();
    assertThat(s.reconnectWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.enableDeadLetter()).isTrue();
    assertThat(s.defaultTtlSeconds()).hasValue(60);
  }

  @Test
  void connectionStringIsAnAliasOfHostAndWins() {
    RabbitMqSettings s = settings(Map.of("connectionString", "amqps://u:p@other:5671"));
    assertThat(s.address()).isEqualTo("other:5671");
    assertThat(settings(Map.of("host", "amqps://h")).address()).isEqualTo("h:5671");
    assertThat(settings(Map.of("host", "amqp://h")).address()).isEqualTo("h:5672");
  }

  @Test
  void autoAckIsRefusedBecauseDeliveryIsAtLeastOnce() {
    assertInvalid(Map.of("host", "amqp://h", "autoAck", "true"), "autoAck", "at-least-once");
  }

  @Test
  void requeueInFailureFalseNeedsADeadLetterQueue() {
    assertInvalid(Map.of("host", "amqp://h", "requeueInFailure", "false"), "requeueInFailure", "enableDeadLetter");
    assertThat(settings(Map.of("requeueInFailure", "false", "enableDeadLetter", "true")).requeueInFailure()).isFalse();
  }

  @Test
  void badValuesNameTheKey() {
    assertInvalid(Map.of("host", "amqp://h", "deliveryMode", "3"), "deliveryMode", "'3'");
    assertInvalid(Map.of("host", "amqp://h", "prefetchCount", "-1"), "prefetchCount");
    assertInvalid(Map.of("host", "amqp://h", "maxLen", "-5"), "maxLen");
    assertInvalid(Map.of("host", "amqp://h", "exchangeKind", "direct"), "exchangeKind", "direct");
    assertInvalid(Map.of("host", "amqp://h", "ttlInSeconds", "0"), "ttlInSeconds");
    assertInvalid(Map.of("host", "amqp://h", "reconnectWait", "0s"), "reconnectWait");
    assertInvalid(Map.of("host", "amqp://h", "publishTimeout", "never"), "publishTimeout");
    assertInvalid(Map.of(), "'host'", "required");
  }

  @Test
  void aBadUriIsReportedWithoutItsPassword() {
    assertThatThrownBy(() -> RabbitMqSettings.from(new Metadata("mq", Map.of("host", "http://u:topsecret@h:5672"))))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("host").hasMessageContaining("http://u:***@h:5672")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    assertThat(RabbitMqSettings.redact("amqp://guest:guest@127.0.0.1:5672/")).isEqualTo("amqp://guest:***@127.0.0.1:5672/");
    assertThat(RabbitMqSettings.redact("amqp://127.0.0.1:5672")).isEqualTo("amqp://127.0.0.1:5672");
  }

  @Test
  void theQueueIsNamedAfterGroupAndTopicAsInDapr() {
    QueueLayout layout = QueueLayout.of(new SubscribeRequest("orders", "checkout", 5, Map.of()), settings(Map.of()));
    assertThat(layout.queue()).isEqualTo("checkout-orders");
    assertThat(layout.prefetch()).isEqualTo(5);
    assertThat(layout.bindingKeys()).containsExactly("");
    assertThat(layout.queueArguments()).containsExactly(Map.entry("x-queue-type", "classic"));
  }

  @Test
  void subscriptionMetadataShapesTheQueue() {
    QueueLayout layout = QueueLayout.of(new SubscribeRequest("orders", "checkout", 50,
        Map.of("enableDeadLetter", "true", "maxLen", "10", "routingKey", "a, b,", "singleActiveConsumer", "true")),
        settings(Map.of("prefetchCount", "20")));
    assertThat(layout.prefetch()).isEqualTo(20);
    assertThat(layout.bindingKeys()).containsExactly("a", "b", "");
    assertThat(layout.queueArguments()).containsEntry("x-dead-letter-exchange", "dlx-checkout-orders")
        .containsEntry("x-max-length", 10L).containsEntry("x-single-active-consumer", true);
    assertThatThrownBy(() -> QueueLayout.of(new SubscribeRequest("orders", "g", 1, Map.of("queueType", "stream")),
        settings(Map.of())))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("queueType").hasMessageContaining("stream");
  }

  @Test
  void ttlBecomesAnExpirationInMilliseconds() {
    assertThat(MessageTtl.expiration("t", Map.of("ttlInSeconds", "3"), OptionalLong.empty())).isEqualTo("3000");
    assertThat(MessageTtl.expiration("t", Map.of(), OptionalLong.of(2))).isEqualTo("2000");
    assertThat(MessageTtl.expiration("t", Map.of("ttlInSeconds", "-1"), OptionalLong.of(2))).isNull();
    assertThat(MessageTtl.expiration("t", Map.of(), OptionalLong.empty())).isNull();
    assertThatThrownBy(() -> MessageTtl.expiration("t", Map.of("ttlInSeconds", "0"), OptionalLong.empty()))
        .isInstanceOfSatisfying(ComponentException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT));
  }
}
