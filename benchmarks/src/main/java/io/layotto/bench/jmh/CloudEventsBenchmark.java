package io.layotto.bench.jmh;

import io.layotto.runtime.pubsub.CloudEvents;
import io.layotto.runtime.pubsub.TopicEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CloudEvents envelope the sidecar writes for every published message ({@code wrap}) and reads
 * for every delivered one ({@code read}), for a binary payload (carried as {@code data_base64}) and a
 * JSON one (carried as {@code data}). These run once per message on the event loop and on the
 * subscription's thread; the pub/sub benchmark's profiles put them at 10-14 % of the sidecar's CPU.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class CloudEventsBenchmark {

    /** Payload bytes, as the pub/sub benchmark's default. */
    @Param("1024")
    int size;

    /** {@code application/octet-stream} (random bytes) or {@code application/json} (an object of that size). */
    @Param({"application/octet-stream", "application/json"})
    String contentType;

    private final CloudEvents cloudEvents = new CloudEvents();
    private CloudEvents.Publication publication;
    private byte[] envelope;

    @Setup
    public void setUp() {
        byte[] data;
        if (contentType.equals("application/json")) {
            var json = new StringBuilder("{\"order\":12345,\"items\":[");
            while (json.length() < size - 40) {
                json.append("{\"sku\":\"A-").append(json.length()).append("\",\"qty\":2},");
            }
            json.setLength(json.length() - 1);
            json.append("],\"note\":\"x\"}");
            data = json.toString().getBytes(StandardCharsets.UTF_8);
        } else {
            data = new byte[size];
            new Random(42).nextBytes(data);
        }
        publication = new CloudEvents.Publication("pubsub", "orders", data, contentType, Map.of(), "checkout",
                null, true);
        envelope = cloudEvents.envelope(publication);
    }

    @Benchmark
    public byte[] wrap() {
        return cloudEvents.envelope(publication);
    }

    @Benchmark
    public TopicEvent read() {
        return cloudEvents.read(envelope, "pubsub", "orders", false, "unused");
    }
}
