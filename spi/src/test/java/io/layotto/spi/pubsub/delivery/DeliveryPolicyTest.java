package io.layotto.spi.pubsub.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {

  @Test
  void defaultsAreSaneAndHaveNoDeadLetterTopic() {
    DeliveryPolicy policy = DeliveryPolicy.defaults();
    assertThat(policy.maxAttempts()).isEqualTo(5);
    assertThat(policy.initialBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.multiplier()).isEqualTo(2.0);
    assertThat(policy.attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.deadLetterTopic()).isNull();
  }

  @Test
  void backoffGrowsByTheMultiplierAndStopsAtTheCap() {
    DeliveryPolicy policy = DeliveryPolicy.builder().initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofMillis(700)).multiplier(3).build();
    assertThat(policy.backoffAfter(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoffAfter(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.backoffAfter(3)).isEqualTo(Duration.ofMillis(700));
    assertThat(policy.backoffAfter(1_000)).isEqualTo(Duration.ofMillis(700));
  }

  @Test
  void multiplierOneGivesAConstantBackoff() {
    DeliveryPolicy policy = DeliveryPolicy.builder().initialBackoff(Duration.ofMillis(50)).multiplier(1).build();
    assertThat(policy.backoffAfter(7)).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void toBuilderKeepsEveryValue() {
    DeliveryPolicy policy = DeliveryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(9)).multiplier(1.5).attemptTimeout(Duration.ofSeconds(2))
        .deadLetterTopic("dlt").build();
    assertThat(policy.toBuilder().build()).isEqualTo(policy);
  }

  @Test
  void badValuesAreRejectedNamingFieldAndValue() {
    assertRejected(DeliveryPolicy.builder().maxAttempts(0), "'maxAttempts' is 0");
    assertRejected(DeliveryPolicy.builder().initialBackoff(Duration.ZERO), "'initialBackoff' is PT0S");
    assertRejected(DeliveryPolicy.builder().initialBackoff(Duration.ofSeconds(-1)), "'initialBackoff' is PT-1S");
    assertRejected(DeliveryPolicy.builder().initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1)),
        "'maxBackoff' is PT1S");
    assertRejected(DeliveryPolicy.builder().multiplier(0.5), "'multiplier' is 0.5");
    assertRejected(DeliveryPolicy.builder().multiplier(Double.NaN), "'multiplier' is NaN");
    assertRejected(DeliveryPolicy.builder().multiplier(Double.POSITIVE_INFINITY), "'multiplier' is Infinity");
    assertRejected(DeliveryPolicy.builder().attemptTimeout(Duration.ZERO), "'attemptTimeout' is PT0S");
    assertRejected(DeliveryPolicy.builder().deadLetterTopic(" "), "'deadLetterTopic' is ' '");
    assertThatThrownBy(() -> DeliveryPolicy.defaults().backoffAfter(0)).hasMessageContaining("'attempt' is 0");
  }

  private static void assertRejected(DeliveryPolicy.Builder builder, String expected) {
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected);
  }
}
