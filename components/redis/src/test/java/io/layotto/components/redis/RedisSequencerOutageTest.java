package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.sequencer.Sequencer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A private redis-server killed and restarted under a live sequencer: calls fail fast as UNAVAILABLE
 * naming the server, health goes DOWN, and both recover by themselves once Redis is back.
 */
class RedisSequencerOutageTest {

  private PrivateRedisServer server;
  private Sequencer sequencer;

  @BeforeEach
  void start() throws Exception {
    server = new PrivateRedisServer();
    server.start();
    sequencer = new RedisSequencerFactory().create();
    sequencer.init(RedisTestSupport.metadata(server.address(), Map.of("readTimeout", "1s", "maxRetryBackoff", "200ms")),
        Map.of("k", 100L));
  }

  @AfterEach
  void stop() {
    if (sequencer != null) {
      sequencer.close();
    }
    server.close();
  }

  @Test
  void aRedisOutageIsUnavailableAndTheSequencerRecovers() throws Exception {
    assertThat(sequencer.nextId("k")).isEqualTo(101L);
    server.kill();

    ComponentException e = RedisTestSupport.assertFailsWith(() -> sequencer.nextId("k"), Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains(server.address());
    assertFailsReserve();
    await().atMost(Duration.ofSeconds(20)).until(() -> !sequencer.checkHealth().isUp());

    server.start();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> sequencer.nextId("other") == 1L);
    assertThat(sequencer.checkHealth().isUp()).isTrue();
  }

  private void assertFailsReserve() {
    RedisTestSupport.assertFailsWith(() -> sequencer.reserve("k", 10), Kind.UNAVAILABLE);
  }
}
