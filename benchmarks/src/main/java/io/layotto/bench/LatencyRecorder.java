package io.layotto.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Thread-safe sink for completions of one run: a wait-free HdrHistogram {@link Recorder} per
 * operation for successful calls (nanoseconds), and an error count with the first error message.
 */
final class LatencyRecorder {

    private final Map<Operation, Recorder> latencies = new EnumMap<>(Operation.class);
    private final Map<Operation, LongAdder> errors = new EnumMap<>(Operation.class);
    private final AtomicReference<@Nullable String> firstError = new AtomicReference<>();

    LatencyRecorder() {
        for (Operation op : Operation.values()) {
            latencies.put(op, new Recorder(3));
            errors.put(op, new LongAdder());
        }
    }

    void record(Operation op, long latencyNanos, @Nullable Throwable error) {
        if (error == null) {
            latencies.get(op).recordValue(Math.max(0, latencyNanos));
        } else {
            errors.get(op).increment();
            firstError.compareAndSet(null, describe(error));
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause != cause.getCause()) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Snapshot of everything recorded so far; call once, after the run has drained. */
    RunResult finish(long wallNanos, long unfinished) {
        var ops = new EnumMap<Operation, RunResult.OpResult>(Operation.class);
        for (Operation op : Operation.values()) {
            ops.put(op, new RunResult.OpResult(
                    LatencySummary.of(latencies.get(op).getIntervalHistogram()), errors.get(op).sum()));
        }
        return new RunResult(ops, wallNanos, unfinished, firstError.get());
    }
}
