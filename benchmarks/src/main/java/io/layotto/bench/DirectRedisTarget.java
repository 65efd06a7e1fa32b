package io.layotto.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline: Lettuce talking straight to Redis, on one multiplexed connection, in the same hash
 * layout the Redis state store uses (fields {@code data} and {@code version}).
 * A save is {@code HSET key data <value>} and {@code HINCRBY key version 1} sent back to back
 * without waiting (pipelined); a get is {@code HGETALL key}.
 */
final class DirectRedisTarget implements StateTarget {

    private static final byte[] EMPTY = new byte[0];

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> commands;

    DirectRedisTarget(String hostAndPort) {
        this.client = RedisClient.create(redisUri(hostAndPort));
        this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        this.commands = connection.async();
    }

    static RedisURI redisUri(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--redis must be host:port, was '" + hostAndPort + "'");
        }
        return RedisURI.create(hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "Lettuce async, one connection: set = HSET key data <1 KB> + HINCRBY key version 1 (pipelined),"
                + " get = HGETALL key";
    }

    @Override
    public CompletableFuture<Void> save(String key, byte[] value) {
        var data = commands.hset(key, "data", value).toCompletableFuture();
        var version = commands.hincrby(key, "version", 1).toCompletableFuture();
        return CompletableFuture.allOf(data, version);
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return commands.hgetall(key).toCompletableFuture().thenApply(DirectRedisTarget::dataField);
    }

    private static byte[] dataField(Map<String, byte[]> hash) {
        byte[] data = hash.get("data");
        return data == null ? EMPTY : data;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
