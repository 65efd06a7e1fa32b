package io.layotto.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.concurrent.CompletableFuture;

/** Lettuce on the same Redis, one connection: SET NX PX, owner-checked DEL in Lua (as the redis lock), INCR. */
final class DirectRedisLockSequencerTarget implements LockSequencerTarget {

    static final String UNLOCK_SCRIPT =
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return -1 end";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;

    DirectRedisLockSequencerTarget(String hostAndPort) {
        client = RedisClient.create("redis://" + hostAndPort);
        connection = client.connect();
        redis = connection.async();
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "Lettuce async, one connection: pair = SET key owner NX PX " + LOCK_SECONDS * 1000
                + " then EVAL of an owner-checked DEL; id = INCR";
    }

    @Override
    public CompletableFuture<Void> lockPair(String resource, String owner) {
        return redis.set(resource, owner, SetArgs.Builder.nx().px(LOCK_SECONDS * 1000L)).toCompletableFuture()
                .thenCompose(ok -> {
                    if (!"OK".equals(ok)) {
                        throw new IllegalStateException("SET NX of free key " + resource + " refused");
                    }
                    return redis.<Long>eval(UNLOCK_SCRIPT, ScriptOutputType.INTEGER, new String[] {resource}, owner)
                            .toCompletableFuture();
                })
                .thenAccept(deleted -> {
                    if (deleted == null || deleted != 1) {
                        throw new IllegalStateException("owner-checked DEL of " + resource + " returned " + deleted);
                    }
                });
    }

    @Override
    public CompletableFuture<Long> nextId(String key, boolean strong) {
        return redis.incr(key).toCompletableFuture();
    }

    @Override
    public boolean hasWeak() {
        return false;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
