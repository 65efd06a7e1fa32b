package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Password, ACL user and TLS, each against a private redis-server configured for it. */
class RedisConnectionOptionsTest {

  @Test
  void aPasswordProtectedServerIsUsedWithRedisPasswordAndRefusedWithoutIt() throws Exception {
    try (PrivateRedisServer server = new PrivateRedisServer(List.of("--requirepass", "s3cret"))) {
      server.start();
      try (RedisStateStore store = RedisTestSupport.openStore(server.address(),
          Map.of(RedisSettings.REDIS_PASSWORD, "s3cret"))) {
        roundTrip(store);
      }
      ComponentException wrong = assertFailsWith(() -> RedisTestSupport.openStore(server.address(),
          Map.of(RedisSettings.REDIS_PASSWORD, "wrong")), Kind.INVALID_ARGUMENT);
      assertThat(wrong.getMessage()).contains("redisPassword", server.address()).doesNotContain("wrong");
      ComponentException missing = assertFailsWith(
          () -> RedisTestSupport.openStore(server.address(), Map.of()), Kind.INVALID_ARGUMENT);
      assertThat(missing.getMessage()).contains(server.address());
    }
  }

  @Test
  void anAclUserLogsInWithRedisUsername() throws Exception {
    try (PrivateRedisServer server = new PrivateRedisServer(List.of(
        "--user", "default", "off", "--user", "app", "on", ">app-pass", "~*", "+@all"))) {
      server.start();
      try (RedisStateStore store = RedisTestSupport.openStore(server.address(),
          Map.of(RedisSettings.REDIS_USERNAME, "app", RedisSettings.REDIS_PASSWORD, "app-pass"))) {
        roundTrip(store);
      }
      ComponentException e = assertFailsWith(() -> RedisTestSupport.openStore(server.address(),
          Map.of(RedisSettings.REDIS_USERNAME, "app", RedisSettings.REDIS_PASSWORD, "nope")), Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("redisUsername");
    }
  }

  @Test
  void enableTlsConnectsToATlsServerWithoutVerifyingItsCertificate() throws Exception {
    try (PrivateRedisServer server = PrivateRedisServer.withTls()) {
      server.start();
      try (RedisStateStore store = RedisTestSupport.openStore(server.address(), 
          // The TLS handshake is CPU-bound; on a loaded 2-core CI machine it can outlast the 3 s default.
          Map.of(RedisSettings.ENABLE_TLS, "true", RedisSettings.READ_TIMEOUT, "20s"))) {
        roundTrip(store);
      }
    }
  }

  private static void roundTrip(RedisStateStore store) {
    store.set(SetRequest.of("k", "v".getBytes(UTF_8)));
    assertThat(store.get(GetRequest.of("k")).orElseThrow().data()).isEqualTo("v".getBytes(UTF_8));
    assertThat(store.checkHealth().isUp()).isTrue();
  }
}
