package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.TransactionalOperation;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back, on a private redis-server: calls fail fast as UNAVAILABLE
 * naming the address, health turns DOWN, and the same store works again once Redis is back.
 */
class RedisOutageTest {

  /** Command timeout of the store under test; every failing call must end well within it plus slack. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration CALL_BOUND = COMMAND_TIMEOUT.plusSeconds(2);

  private PrivateRedisServer server;
  private RedisStateStore store;

  @BeforeEach
  void startServer() throws Exception {
    server = new PrivateRedisServer();
    server.start();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (store != null) {
      store.close();
    }
    server.close();
  }

  private RedisStateStore openStore() {
    return RedisTestSupport.openStore(server.address(), Map.of(
        RedisSettings.READ_TIMEOUT, COMMAND_TIMEOUT.toMillis() + "ms",
        RedisSettings.WRITE_TIMEOUT, COMMAND_TIMEOUT.toMillis() + "ms",
        RedisSettings.MAX_RETRY_BACKOFF, "200ms"));
  }

  @Test
  void theStoreFailsFastWhileRedisIsDownAndRecoversWhenItIsBack() throws Exception {
    store = openStore();
    store.set(SetRequest.of("k", bytes("before")));
    assertThat(store.checkHealth().isUp()).isTrue();

    server.kill();

    for (var call : List.<Runnable>of(
        () -> store.get(GetRequest.of("k")),
        () -> store.set(SetRequest.of("k", bytes("during"))),
        () -> store.bulkGet(List.of(GetRequest.of("k"), GetRequest.of("other"))),
        () -> store.transact(List.of(new TransactionalOperation.Upsert(SetRequest.of("k", bytes("tx")))), Map.of()))) {
      long started = System.nanoTime();
      ComponentException e = assertFailsWith(call::run, Kind.UNAVAILABLE);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CALL_BOUND);
      assertThat(e.getMessage()).contains(server.address());
    }
    Health health = store.checkHealth();
    assertThat(health.isUp()).isFalse();
    assertThat(health.reason()).contains(server.address());

    server.start(); // same port, empty data set, empty script cache

    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> store.checkHealth().isUp());
    // The write script is unknown to the new server: EVALSHA falls back to EVAL.
    await().atMost(Duration.ofSeconds(5)).ignoreException(ComponentException.class)
        .untilAsserted(() -> store.set(SetRequest.of("k", bytes("after"))));
    assertThat(store.get(GetRequest.of("k")).orElseThrow().data()).isEqualTo(bytes("after"));
    assertThat(store.get(GetRequest.of("k")).orElseThrow().etag()).isEqualTo("1");
  }

  @Test
  void aServerThatStopsAnsweringTimesCallsOutAndIsUsedAgainWhenItAnswers() throws Exception {
    store = openStore();
    store.set(SetRequest.of("k", bytes("before")));

    server.freeze();
    try {
      for (var call : List.<Runnable>of(
          () -> store.get(GetRequest.of("k")),
          () -> store.set(SetRequest.of("k", bytes("during"))))) {
        long started = System.nanoTime();
        ComponentException e = assertFailsWith(call::run, Kind.UNAVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CALL_BOUND);
        assertThat(e.getMessage()).contains(server.address(), "did not answer", COMMAND_TIMEOUT.toMillis() + " ms");
      }
      Health health = store.checkHealth();
      assertThat(health.isUp()).isFalse();
      assertThat(health.reason()).contains(server.address(), "PING");
    } finally {
      server.thaw();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> store.checkHealth().isUp());
    // The timed-out write may still have been applied once the server ran again; either value is fine.
    assertThat(store.get(GetRequest.of("k")).orElseThrow().data()).isIn((Object) bytes("before"), (Object) bytes("during"));
    store.set(SetRequest.of("k", bytes("after")));
    assertThat(store.get(GetRequest.of("k")).orElseThrow().data()).isEqualTo(bytes("after"));
  }

  @Test
  void aFlushedScriptCacheIsRefilled() {
    store = openStore();
    store.set(SetRequest.of("k", bytes("before")));
    RedisClient client = RedisClient.create("redis://" + server.address());
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      raw.sync().scriptFlush();
      store.set(SetRequest.of("k", bytes("after")));
      assertThat(raw.sync().hget("k", "data")).isEqualTo("after");
      assertThat(raw.sync().scriptExists(WriteScript.SHA1)).containsExactly(true);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void initAgainstAnUnreachableServerFailsAsUnavailableNamingTheHost() throws Exception {
    server.kill();
    RedisStateStore unreachable = new RedisStateStore();
    long started = System.nanoTime();
    ComponentException e = assertFailsWith(
        () -> unreachable.init(RedisTestSupport.metadata(server.address(), Map.of())), Kind.UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(e.getMessage()).contains("redisHost", server.address());
    assertThat(unreachable.checkHealth().isUp()).isFalse();
    unreachable.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
