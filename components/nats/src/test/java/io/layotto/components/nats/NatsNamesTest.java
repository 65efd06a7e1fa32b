package io.layotto.components.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.Test;

class NatsNamesTest {

  @Test
  void aPlainTopicNamesItsStreamAsItIs() {
    assertThat(NatsNames.streamFor("orders")).isEqualTo("LAYOTTO_orders");
  }

  @Test
  void sanitizedStreamNamesKeepDifferentTopicsApart() {
    String dotted = NatsNames.streamFor("a.b");
    assertThat(dotted).startsWith("LAYOTTO_a_b_").isNotEqualTo(NatsNames.streamFor("a_b"));
    assertThat(NatsNames.isValidName(dotted)).isTrue();
    assertThat(NatsNames.isValidName(NatsNames.streamFor("x".repeat(500)))).isTrue();
  }

  @Test
  void durableNamesAreValidStableAndDistinctPerGroupAndTopic() {
    String durable = NatsNames.durableFor("app.one", "orders/new");
    assertThat(NatsNames.isValidName(durable)).isTrue();
    assertThat(durable).startsWith("app_one_orders_new_").isEqualTo(NatsNames.durableFor("app.one", "orders/new"));
    assertThat(NatsNames.durableFor("a", "b_c")).isNotEqualTo(NatsNames.durableFor("a_b", "c"));
    assertThat(NatsNames.durableFor("g", "t1")).isNotEqualTo(NatsNames.durableFor("g", "t2"));
  }

  @Test
  void literalSubjectsAreAcceptedAsTopics() {
    assertThatNoException().isThrownBy(() -> NatsNames.checkTopic("orders.eu.new"));
    assertThatNoException().isThrownBy(() -> NatsNames.checkTopic("conf-1a2b-topic-3"));
  }
}
