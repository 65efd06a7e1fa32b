package io.layotto.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

/** Housekeeping on the shared Redis: its version for the report, and removing this run's keys. */
final class RedisAdmin implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RedisAdmin(String hostAndPort) {
        this.client = RedisClient.create(DirectRedisTarget.redisUri(hostAndPort));
        this.connection = client.connect();
    }

    String version() {
        for (String line : connection.sync().info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length()).trim();
            }
        }
        return "unknown";
    }

    /**
     * Deletes every key containing {@code marker} (SCAN + UNLINK, never FLUSH: the server is shared).
     * Matching anywhere in the name also catches a store that puts its own prefix before the key.
     */
    long deleteKeysContaining(String marker) {
        var sync = connection.sync();
        var match = ScanArgs.Builder.matches("*" + marker + "*").limit(1000);
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            var page = sync.scan(cursor, match);
            if (!page.getKeys().isEmpty()) {
                deleted += sync.unlink(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return deleted;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
