package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.StateRequests;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The data layout is the one Dapr's and Layotto's Redis state stores use, checked with raw Lettuce
 * commands on the shared Redis: a team moving from them keeps its data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLayoutInteropTest {

  private RedisTestSupport redis;
  private RedisStateStore store;

  @BeforeAll
  void open() {
    redis = new RedisTestSupport(0);
    store = RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS, Map.of());
  }

  @AfterAll
  void close() {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aWrittenValueIsAHashOfDataAndVersion() {
    String key = redis.key("layout");
    byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80, '\n', 0};
    store.set(SetRequest.of(key, binary));

    assertThat(redis.raw().type(key)).isEqualTo("hash");
    Map<String, byte[]> hash = redis.raw().hgetall(key);
    assertThat(hash).containsOnlyKeys("data", "version");
    assertThat(hash.get("data")).isEqualTo(binary);
    assertThat(text(hash.get("version"))).isEqualTo("1");
    assertThat(etag(key)).isEqualTo("1");

    store.set(SetRequest.of(key, bytes("second")));
    assertThat(text(redis.raw().hget(key, "version"))).isEqualTo("2");
    assertThat(text(redis.raw().hget(key, "data"))).isEqualTo("second");
    assertThat(etag(key)).isEqualTo("2");
  }

  @Test
  void aPlainStringSetWithRedisCliIsReadable() {
    String key = redis.key("plain-string");
    redis.raw().set(key, bytes("100"));

    StateValue value = store.get(GetRequest.of(key)).orElseThrow();
    assertThat(value.data()).isEqualTo(bytes("100"));
    assertThat(value.etag()).isEqualTo(RedisStateStore.UNVERSIONED_ETAG);
    assertThat(store.bulkGet(List.of(GetRequest.of(key))).getFirst().value().data()).isEqualTo(bytes("100"));
  }

  @Test
  void writingOverAPlainStringConvertsItToTheHashLayout() {
    String key = redis.key("plain-converted");
    redis.raw().set(key, bytes("100"));
    store.set(SetRequest.of(key, bytes("101")));

    assertThat(redis.raw().type(key)).isEqualTo("hash");
    assertThat(text(redis.raw().hget(key, "data"))).isEqualTo("101");
    assertThat(etag(key)).isEqualTo("1");
  }

  @Test
  void aPlainStringHonoursItsEtagZero() {
    String key = redis.key("plain-etag");
    redis.raw().set(key, bytes("100"));
    assertFailsWith(() -> store.set(withEtag(key, "x", "1")), Kind.ETAG_MISMATCH);
    assertFailsWith(() -> store.set(new SetRequest(key, bytes("x"), null, Map.of(),
        new StateOptions(io.layotto.spi.state.Concurrency.FIRST_WRITE, io.layotto.spi.state.Consistency.UNSPECIFIED))),
        Kind.ETAG_MISMATCH);
    assertThat(redis.raw().get(key)).isEqualTo(bytes("100"));

    store.set(withEtag(key, "101", "0"));
    assertThat(text(redis.raw().hget(key, "data"))).isEqualTo("101");
    assertThat(etag(key)).isEqualTo("1");
  }

  @Test
  void aHashWrittenTheWayDaprDoesIsReadAndItsVersionHonoured() {
    String key = redis.key("dapr-hash");
    redis.raw().hset(key, Map.of("data", bytes("\"dapr value\""), "version", bytes("1")));

    StateValue value = store.get(GetRequest.of(key)).orElseThrow();
    assertThat(value.data()).isEqualTo(bytes("\"dapr value\""));
    assertThat(value.etag()).isEqualTo("1");

    assertFailsWith(() -> store.set(withEtag(key, "mine", "2")), Kind.ETAG_MISMATCH);
    assertFailsWith(() -> store.delete(new DeleteRequest(key, "7", Map.of(), StateOptions.DEFAULT)), Kind.ETAG_MISMATCH);
    store.set(withEtag(key, "mine", "1"));
    assertThat(text(redis.raw().hget(key, "version"))).isEqualTo("2");
    assertThat(text(redis.raw().hget(key, "data"))).isEqualTo("mine");

    store.delete(new DeleteRequest(key, "2", Map.of(), StateOptions.DEFAULT));
    assertThat(redis.raw().exists(key)).isZero();
  }

  @Test
  void ttlIsARedisExpiryAndAWriteWithoutTtlRemovesIt() {
    String key = redis.key("ttl");
    store.set(new SetRequest(key, bytes("v"), null, Map.of(StateRequests.TTL_IN_SECONDS, "100"), StateOptions.DEFAULT));
    assertThat(redis.raw().ttl(key)).isBetween(1L, 100L);

    store.set(SetRequest.of(key, bytes("v2")));
    assertThat(redis.raw().ttl(key)).isEqualTo(-1L);

    store.transact(List.of(new TransactionalOperation.Upsert(
        new SetRequest(key, bytes("v3"), null, Map.of(StateRequests.TTL_IN_SECONDS, "50"), StateOptions.DEFAULT))),
        Map.of());
    assertThat(redis.raw().ttl(key)).isBetween(1L, 50L);
  }

  @Test
  void theComponentDefaultTtlAppliesToWritesWithoutTheirOwn() {
    try (RedisStateStore withDefault = RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisSettings.TTL_IN_SECONDS, "300"))) {
      String key = redis.key("default-ttl");
      withDefault.set(SetRequest.of(key, bytes("v")));
      assertThat(redis.raw().ttl(key)).isBetween(1L, 300L);

      withDefault.set(new SetRequest(key, bytes("v"), null, Map.of(StateRequests.TTL_IN_SECONDS, "20"), StateOptions.DEFAULT));
      assertThat(redis.raw().ttl(key)).isBetween(1L, 20L);

      withDefault.set(new SetRequest(key, bytes("v"), null, Map.of(StateRequests.TTL_IN_SECONDS, "-1"), StateOptions.DEFAULT));
      assertThat(redis.raw().ttl(key)).isEqualTo(-1L);
    }
  }

  @Test
  void theDatabaseIndexIsHonouredUnderBothNames() {
    try (RedisTestSupport db5 = new RedisTestSupport(5);
        RedisStateStore byDapr = RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS, Map.of(RedisSettings.REDIS_DB, "5"));
        RedisStateStore byLayotto = RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS, Map.of(RedisSettings.DB_ALIAS, "5"))) {
      String daprKey = db5.key("redisDB");
      String layottoKey = db5.key("db");
      byDapr.set(SetRequest.of(daprKey, bytes("in db 5")));
      byLayotto.set(SetRequest.of(layottoKey, bytes("in db 5 too")));

      assertThat(text(db5.raw().hget(daprKey, "data"))).isEqualTo("in db 5");
      assertThat(text(db5.raw().hget(layottoKey, "data"))).isEqualTo("in db 5 too");
      assertThat(redis.raw().exists(daprKey, layottoKey)).isZero();
      assertThat(store.get(GetRequest.of(daprKey))).isEmpty();
    }
  }

  @Test
  void aDatabaseIndexTheServerDoesNotHaveIsRejectedNamingTheKey() {
    var e = assertFailsWith(() -> RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisSettings.REDIS_DB, "100000")), Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("redisDB", "100000");
  }

  @Test
  void aKeyOfAnotherRedisTypeIsAnErrorNamingTheKeyAndNothingOfItsTransactionApplies() {
    String list = redis.key("a-list");
    String other = redis.key("tx-bystander");
    redis.raw().rpush(list, bytes("element"));

    assertFailsWith(() -> store.get(GetRequest.of(list)), Kind.INTERNAL);
    assertFailsWith(() -> store.set(SetRequest.of(list, bytes("x"))), Kind.INTERNAL);
    assertFailsWith(() -> store.transact(List.of(
        new TransactionalOperation.Upsert(SetRequest.of(other, bytes("x"))),
        new TransactionalOperation.Upsert(SetRequest.of(list, bytes("x")))), Map.of()), Kind.INTERNAL);
    assertThat(redis.raw().exists(other)).isZero();
    assertThat(redis.raw().type(list)).isEqualTo("list");

    var items = store.bulkGet(List.of(GetRequest.of(other), GetRequest.of(list)));
    assertThat(items.get(0).error()).isNull();
    assertThat(items.get(1).error()).contains(list);
  }

  private String etag(String key) {
    return store.get(GetRequest.of(key)).orElseThrow().etag();
  }

  private static SetRequest withEtag(String key, String value, String etag) {
    return new SetRequest(key, bytes(value), etag, Map.of(), StateOptions.DEFAULT);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, UTF_8);
  }
}
