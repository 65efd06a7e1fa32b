package io.layotto.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The Redis Streams baseline: Lettuce straight to Redis, the way a hand-written at-least-once
 * consumer does it. Publish = async {@code XADD topic * data <payload>} on a shared connection (the
 * entry layout the sidecar's redis pub/sub writes); subscribe = one consumer in its own group,
 * a loop on a dedicated connection doing {@code XREADGROUP ... BLOCK 1000 COUNT <maxInFlight>}
 * and, for each entry, receipt then {@code XACK} (async, pipelined on the shared connection).
 */
final class DirectRedisStreamsTarget implements PubSubTarget {

    private static final String GROUP = "bench-direct";

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> shared;
    private final StatefulRedisConnection<String, byte[]> reads;
    private final String topic;
    private final int maxInFlight;
    private volatile boolean running = true;
    private @Nullable Thread loop;

    DirectRedisStreamsTarget(String hostAndPort, String topic, int maxInFlight) {
        this.client = RedisClient.create(DirectRedisTarget.redisUri(hostAndPort));
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        this.shared = client.connect(codec);
        this.reads = client.connect(codec);
        this.topic = topic;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "Lettuce async: publish = XADD topic * data <payload>; subscribe = XREADGROUP BLOCK 1000 COUNT "
                + maxInFlight + " on its own connection, XACK per entry after receipt";
    }

    @Override
    public void subscribe(DeliverySink sink) {
        try {
            shared.sync().xgroupCreate(StreamOffset.from(topic, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisCommandExecutionException e) {
            if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                throw e;
            }
        }
        Consumer<String> consumer = Consumer.from(GROUP, "bench");
        XReadArgs read = XReadArgs.Builder.block(Duration.ofSeconds(1)).count(maxInFlight);
        loop = Thread.ofPlatform().daemon().name("direct-redis-" + topic).start(() -> {
            while (running) {
                List<StreamMessage<String, byte[]>> entries;
                try {
                    entries = reads.sync().xreadgroup(consumer, read, StreamOffset.lastConsumed(topic));
                } catch (RuntimeException e) {
                    if (running) {
                        System.err.println("[bench] direct XREADGROUP of " + topic + " failed: " + e);
                        sleepQuietly();
                    }
                    continue;
                }
                for (StreamMessage<String, byte[]> entry : entries) {
                    long received = System.nanoTime();
                    Map<String, byte[]> body = entry.getBody();
                    byte[] data = body == null ? null : body.get("data");
                    sink.received(data == null ? new byte[0] : data, received);
                    shared.async().xack(topic, GROUP, entry.getId());
                }
            }
        });
    }

    @Override
    public CompletableFuture<?> publish(byte[] payload) {
        return shared.async().xadd(topic, Map.of("data", payload)).toCompletableFuture();
    }

    @Override
    public void close() {
        running = false;
        Thread thread = loop;
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        reads.close();
        shared.close();
        client.shutdown();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
