package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The shared test Redis and raw Lettuce access to it, to look behind the store's back. */
final class RedisTestSupport implements AutoCloseable {

  /** The Redis every test run finds already running; tests fail when it is not there. */
  static final String SHARED_REDIS = "127.0.0.1:6379";

  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final String prefix = "redis-test-" + UUID.randomUUID().toString().substring(0, 13) + "-";

  RedisTestSupport(int database) {
    client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(6379).withDatabase(database)
        .withTimeout(Duration.ofSeconds(5)).build());
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
  }

  static Metadata metadata(String address, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(extra);
    properties.put(RedisSettings.REDIS_HOST, address);
    return new Metadata("redis-test", properties);
  }

  static RedisStateStore openStore(String address, Map<String, String> extra) {
    RedisStateStore store = new RedisStateStore();
    store.init(metadata(address, extra));
    return store;
  }

  /** The call throws a ComponentException of the given kind whose message is not blank. */
  static ComponentException assertFailsWith(ThrowingCallable call, Kind kind) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(ComponentException.class);
    ComponentException e = (ComponentException) thrown;
    assertThat(e.kind()).as("kind of '%s'", e.getMessage()).isEqualTo(kind);
    assertThat(e.getMessage()).isNotBlank();
    return e;
  }

  /** Raw commands on the shared Redis, values as bytes. */
  RedisCommands<String, byte[]> raw() {
    return connection.sync();
  }

  /** A key unique to this run. */
  String key(String name) {
    return prefix + name;
  }

  /** Deletes the keys this run wrote; never touches anything else on the shared server. */
  @Override
  public void close() {
    try {
      deleteKeysStartingWith(prefix);
    } finally {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Deletes the keys of one test run, found by their unique prefix. */
  void deleteKeysStartingWith(String keyPrefix) {
    ScanArgs matching = ScanArgs.Builder.matches(globEscaped(keyPrefix) + "*").limit(500);
    KeyScanCursor<String> cursor = raw().scan(matching);
    while (true) {
      if (!cursor.getKeys().isEmpty()) {
        raw().del(cursor.getKeys().toArray(String[]::new));
      }
      if (cursor.isFinished()) {
        return;
      }
      cursor = raw().scan(ScanCursor.of(cursor.getCursor()), matching);
    }
  }

  private static String globEscaped(String text) {
    return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
