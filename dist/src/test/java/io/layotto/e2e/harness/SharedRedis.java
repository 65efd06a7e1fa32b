package io.layotto.e2e.harness;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Collection;

/** The Redis shared by everyone on 127.0.0.1:6379: tests delete only the keys they created, never flush. */
public final class SharedRedis {

  public static final int PORT = 6379;

  private SharedRedis() {}

  /** Deletes the keys (e.g. the streams of a test's random topics); missing ones are ignored. */
  public static void delete(Collection<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", PORT));
    try (var connection = client.connect()) {
      connection.sync().del(keys.toArray(String[]::new));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }
}
