package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.Concurrency;
import io.layotto.spi.state.Consistency;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.TransactionalOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Behaviour specific to this store's batching and scripting, on the shared Redis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisStateStoreTest {

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
  void aTransactionChecksEveryConditionAgainstTheEffectOfTheOperationsBeforeIt() {
    String key = redis.key("tx-sequence");
    store.set(SetRequest.of(key, bytes("v1")));
    // The second upsert's etag is the version the first upsert produces: valid in sequence.
    store.transact(List.of(upsert(key, "v2", "1"), upsert(key, "v3", "2")), Map.of());
    assertThat(etag(key)).isEqualTo("3");
    assertThat(text(redis.raw().hget(key, "data"))).isEqualTo("v3");

    // Re-using the etag read before the transaction for the second write is stale by then.
    ComponentException e = assertFailsWith(
        () -> store.transact(List.of(upsert(key, "v4", "3"), upsert(key, "v5", "3")), Map.of()), Kind.ETAG_MISMATCH);
    assertThat(e.getMessage()).contains("operation 2", key, "'3'", "'4'");
    assertThat(etag(key)).isEqualTo("3");

    // A first-write after a delete of the same key in the same transaction succeeds.
    store.transact(List.of(delete(key, "3"), firstWriteUpsert(key, "fresh")), Map.of());
    assertThat(etag(key)).isEqualTo("1");
  }

  @Test
  void aFailedFirstWriteInATransactionAppliesNothing() {
    String existing = redis.key("tx-fw-existing");
    String other = redis.key("tx-fw-other");
    store.set(SetRequest.of(existing, bytes("here")));
    assertFailsWith(() -> store.transact(List.of(
        upsert(other, "x", null), delete(existing, null), firstWriteUpsert(existing, "y"), firstWriteUpsert(existing, "z")),
        Map.of()), Kind.ETAG_MISMATCH);
    assertThat(redis.raw().exists(other)).isZero();
    assertThat(text(redis.raw().hget(existing, "data"))).isEqualTo("here");
  }

  @Test
  void aTransactionWithAMalformedEtagIsRejectedBeforeAnythingIsSent() {
    String key = redis.key("tx-malformed");
    assertFailsWith(() -> store.transact(List.of(upsert(key, "x", null), upsert(key, "y", "v1")), Map.of()),
        Kind.INVALID_ETAG);
    assertThat(redis.raw().exists(key)).isZero();
  }

  @Test
  void bulkGetReadsManyKeysAndPlainStringsInOneBatch() {
    List<String> keys = IntStream.range(0, 200).mapToObj(i -> redis.key("bulk-" + i)).toList();
    List<SetRequest> writes = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += 2) {
      writes.add(SetRequest.of(keys.get(i), bytes("v" + i)));
    }
    store.bulkSet(writes);
    redis.raw().set(keys.get(1), bytes("plain"));

    List<BulkGetItem> items = store.bulkGet(keys.stream().map(GetRequest::of).toList());
    assertThat(items).extracting(BulkGetItem::key).containsExactlyElementsOf(keys);
    assertThat(items).extracting(BulkGetItem::error).containsOnlyNulls();
    for (int i = 0; i < keys.size(); i++) {
      BulkGetItem item = items.get(i);
      if (i % 2 == 0) {
        assertThat(text(item.value().data())).isEqualTo("v" + i);
        assertThat(item.value().etag()).isEqualTo("1");
      } else if (i == 1) {
        assertThat(text(item.value().data())).isEqualTo("plain");
      } else {
        assertThat(item.value()).isNull();
      }
    }
  }

  @Test
  void bulkSetAppliesTheValidWritesAndThrowsTheFirstFailure() {
    String a = redis.key("bulkset-a");
    String guarded = redis.key("bulkset-guarded");
    String c = redis.key("bulkset-c");
    store.set(SetRequest.of(guarded, bytes("g1")));
    ComponentException e = assertFailsWith(() -> store.bulkSet(List.of(
        SetRequest.of(a, bytes("A")),
        new SetRequest(guarded, bytes("g2"), "99", Map.of(), StateOptions.DEFAULT),
        SetRequest.of(c, bytes("C")))), Kind.ETAG_MISMATCH);
    assertThat(e.getMessage()).contains(guarded);
    assertThat(text(redis.raw().hget(a, "data"))).isEqualTo("A");
    assertThat(text(redis.raw().hget(c, "data"))).isEqualTo("C");
    assertThat(text(redis.raw().hget(guarded, "data"))).isEqualTo("g1");
  }

  @Test
  void bulkSetChecksEveryRequestBeforeWritingAny() {
    String a = redis.key("bulkset-checked");
    assertFailsWith(() -> store.bulkSet(List.of(
        SetRequest.of(a, bytes("A")),
        new SetRequest(redis.key("bulkset-badttl"), bytes("B"), null, Map.of("ttlInSeconds", "soon"),
            StateOptions.DEFAULT))), Kind.INVALID_ARGUMENT);
    assertThat(redis.raw().exists(a)).isZero();
  }

  @Test
  void bulkDeleteHonoursEtags() {
    String plain = redis.key("bulkdel-plain");
    String guarded = redis.key("bulkdel-guarded");
    store.bulkSet(List.of(SetRequest.of(plain, bytes("p")), SetRequest.of(guarded, bytes("g"))));
    assertFailsWith(() -> store.bulkDelete(List.of(DeleteRequest.of(plain),
        new DeleteRequest(guarded, "2", Map.of(), StateOptions.DEFAULT))), Kind.ETAG_MISMATCH);
    assertThat(redis.raw().exists(plain)).isZero();
    assertThat(redis.raw().exists(guarded)).isOne();
    store.bulkDelete(List.of(new DeleteRequest(guarded, "1", Map.of(), StateOptions.DEFAULT)));
    assertThat(redis.raw().exists(guarded)).isZero();
  }

  @Test
  void anEmptyKeyIsRejected() {
    assertFailsWith(() -> store.get(GetRequest.of("")), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store.set(SetRequest.of("", bytes("x"))), Kind.INVALID_ARGUMENT);
  }

  @Test
  void aClosedStoreRefusesCallsAndReportsDown() {
    RedisStateStore closed = RedisTestSupport.openStore(RedisTestSupport.SHARED_REDIS, Map.of());
    closed.close();
    closed.close();
    assertThat(closed.checkHealth().isUp()).isFalse();
    assertFailsWith(() -> closed.get(GetRequest.of(redis.key("closed"))), Kind.INTERNAL);
  }

  @Test
  void healthIsUpWhileRedisAnswers() {
    assertThat(store.checkHealth().isUp()).isTrue();
  }

  private String etag(String key) {
    return store.get(GetRequest.of(key)).orElseThrow().etag();
  }

  private static TransactionalOperation upsert(String key, String value, @Nullable String etag) {
    return new TransactionalOperation.Upsert(new SetRequest(key, bytes(value), etag, Map.of(), StateOptions.DEFAULT));
  }

  private static TransactionalOperation firstWriteUpsert(String key, String value) {
    return new TransactionalOperation.Upsert(new SetRequest(key, bytes(value), null, Map.of(),
        new StateOptions(Concurrency.FIRST_WRITE, Consistency.UNSPECIFIED)));
  }

  private static TransactionalOperation delete(String key, @Nullable String etag) {
    return new TransactionalOperation.Delete(new DeleteRequest(key, etag, Map.of(), StateOptions.DEFAULT));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, UTF_8);
  }
}
