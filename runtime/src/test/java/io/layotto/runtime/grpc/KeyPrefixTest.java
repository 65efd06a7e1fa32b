package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.runtime.grpc.state.KeyPrefix;
import org.junit.jupiter.api.Test;

class KeyPrefixTest {

  @Test
  void strategiesResolveAsLayottoDoes() {
    assertThat(KeyPrefix.of("none", "s", "app").apply("k")).isEqualTo("k");
    assertThat(KeyPrefix.of("", "s", "app").apply("k")).isEqualTo("k");
    assertThat(KeyPrefix.of("appid", "s", "app").apply("k")).isEqualTo("app||k");
    assertThat(KeyPrefix.of("AppId", "s", "app").apply("k")).as("strategy is case-insensitive").isEqualTo("app||k");
    assertThat(KeyPrefix.of("appid", "s", "").apply("k")).as("no app id: no prefix").isEqualTo("k");
    assertThat(KeyPrefix.of("name", "state_demo", "app").apply("k")).isEqualTo("state_demo||k");
    assertThat(KeyPrefix.of("Team-A", "s", "app").apply("k")).isEqualTo("team-a||k");
  }

  @Test
  void stripRestoresTheClientKey() {
    KeyPrefix prefix = KeyPrefix.of("appid", "s", "app");
    assertThat(prefix.strip("app||k")).isEqualTo("k");
    assertThat(prefix.strip("other||k")).isEqualTo("other||k");
    assertThat(KeyPrefix.NONE.strip("k")).isEqualTo("k");
  }

  @Test
  void prefixContainingTheSeparatorIsRejectedNamingTheStore() {
    assertThatThrownBy(() -> KeyPrefix.of("a||b", "orders", "app"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'orders'").hasMessageContaining("||");
  }
}
