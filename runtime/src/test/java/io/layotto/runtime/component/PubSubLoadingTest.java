package io.layotto.runtime.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.testing.PubSubFixture;
import io.layotto.runtime.testing.TestPubSubFactory;
import io.layotto.spi.BuildingBlock;
import org.junit.jupiter.api.Test;

/** {@code pub_subs} entries: checked against their factories, started, reported. */
class PubSubLoadingTest {

  private final TestPubSubFactory factory = new TestPubSubFactory();

  @Test
  void consumerIdDefaultsToTheAppIdAndPubSubsAreReported() {
    try (LoadedComponents components = PubSubFixture.load("""
        {"app": {"app_id": "shop"},
         "pub_subs": {"a": {"type": "test-pubsub"},
                      "b": {"type": "test-pubsub", "metadata": {"consumerID": "group-b", "maxConcurrency": "3"}}}}
        """, factory)) {
      assertThat(components.pubSubNames()).containsExactly("a", "b");
      assertThat(factory.created().get(0).consumerId).isEqualTo("shop");
      assertThat(factory.created().get(1).consumerId).isEqualTo("group-b");
      assertThat(components.pubSubOptions("a").consumerGroup()).isEqualTo("shop");
      assertThat(components.pubSubOptions("b").delivery().maxConcurrency()).isEqualTo(3);
      assertThat(components.infos()).anySatisfy(i -> {
        assertThat(i.name()).isEqualTo("b");
        assertThat(i.block()).isEqualTo(BuildingBlock.PUBSUB);
        assertThat(i.type()).isEqualTo("test-pubsub");
      });
      assertThat(components.all()).containsKeys("a", "b");
    }
  }

  @Test
  void withoutAppIdTheComponentNameIsTheConsumerGroup() {
    try (LoadedComponents components = PubSubFixture.load("{\"pub_subs\": {\"events\": {\"type\": \"test-pubsub\"}}}",
        factory)) {
      assertThat(components.pubSubOptions("events").consumerGroup()).isEqualTo("events");
    }
  }

  @Test
  void unknownTypesAndBadRuntimeMetadataAreConfigErrorsWithPaths() {
    ComponentLoader loader = new ComponentLoader(PubSubFixture.factories(factory));

    assertThatThrownBy(() -> loader.plan(PubSubFixture.config("""
        {"pub_subs": {"x": {"type": "kafkaa"},
                      "y": {"type": "test-pubsub", "metadata": {"maxConcurrency": "0", "maxPayloadBytes": "big",
                                                                "backoffInitialInterval": "soon"}}}}
        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pub_subs.x.type: unknown pub_subs type 'kafkaa'; available: test-pubsub")
        .hasMessageContaining("pub_subs.y.metadata: 'maxConcurrency' is '0', expected a whole number >= 1")
        .hasMessageContaining("'maxPayloadBytes' is 'big'")
        .hasMessageContaining("'backoffInitialInterval' is 'soon'");
  }

  @Test
  void unknownMetadataIsAWarningButRuntimeKeysAreNot() {
    ComponentLoader.Plan plan = new ComponentLoader(PubSubFixture.factories(factory)).plan(PubSubFixture.config("""
        {"pub_subs": {"p": {"type": "test-pubsub", "metadata": {"consumerID": "g", "deliveryTimeout": "5s",
                                                                "whatever": "1"}}}}
        """));

    assertThat(plan.warnings()).singleElement().asString().contains("[whatever]").doesNotContain("deliveryTimeout");
  }
}
