package io.layotto.components.redis;

import io.layotto.spi.Metadata;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Three private redis-servers for Redlock tests, which may kill them. */
final class RedlockTestNodes implements AutoCloseable {

  final List<PrivateRedisServer> servers = new ArrayList<>();

  RedlockTestNodes(int count) throws IOException, InterruptedException {
    try {
      for (int i = 0; i < count; i++) {
        PrivateRedisServer server = new PrivateRedisServer();
        servers.add(server);
        server.start();
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  String hosts() {
    return servers.stream().map(PrivateRedisServer::address).collect(Collectors.joining(","));
  }

  RedlockStore openStore() {
    RedlockStore store = new RedlockStore();
    // short timeouts: a frozen or dead node must not slow every call by seconds
    store.init(new Metadata("redlock-test", Map.of(RedlockStoreFactory.REDIS_HOSTS, hosts(),
        RedisSettings.READ_TIMEOUT, "1s", RedisSettings.WRITE_TIMEOUT, "1s", RedisSettings.MAX_RETRY_BACKOFF, "200ms")));
    return store;
  }

  @Override
  public void close() {
    servers.forEach(PrivateRedisServer::close);
  }
}
