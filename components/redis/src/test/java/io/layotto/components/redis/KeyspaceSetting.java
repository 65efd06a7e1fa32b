package io.layotto.components.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/** A server's notify-keyspace-events as a test found it, to put back afterwards. */
record KeyspaceSetting(String address, String value) {

  static KeyspaceSetting read(String address) {
    RedisClient client = RedisClient.create("redis://" + address);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return new KeyspaceSetting(address, connection.sync().configGet(KeyspaceEvents.SETTING)
          .getOrDefault(KeyspaceEvents.SETTING, ""));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  void restore() {
    set(value);
  }

  void set(String flags) {
    RedisClient client = RedisClient.create("redis://" + address);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().configSet(KeyspaceEvents.SETTING, flags);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
