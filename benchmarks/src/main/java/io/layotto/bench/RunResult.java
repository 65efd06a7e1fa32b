package io.layotto.bench;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one measured run of one target produced.
 *
 * @param wallNanos from the first intended request to the last completion
 * @param unfinished requests never sent before the deadline or never answered (0 when the target kept up)
 */
record RunResult(Map<Operation, OpResult> ops, long wallNanos, long unfinished, @Nullable String firstError) {

    record OpResult(LatencySummary latency, long errors) {}

    OpResult op(Operation op) {
        return ops.get(op);
    }

    long completed() {
        return ops.values().stream().mapToLong(r -> r.latency().count()).sum();
    }

    long errors() {
        return ops.values().stream().mapToLong(OpResult::errors).sum();
    }

    /** Successful calls per second of wall time, for one operation. */
    double ratePerSecond(Operation op) {
        return wallNanos == 0 ? 0 : op(op).latency().count() * 1e9 / wallNanos;
    }

    /** Successful calls per second of wall time, all operations together. */
    double totalRatePerSecond() {
        return wallNanos == 0 ? 0 : completed() * 1e9 / wallNanos;
    }
}
