package io.layotto.bench;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's messages: a 20-byte header (run id, sequence number, intended send time in
 * {@link System#nanoTime()} of the harness JVM, which both publishes and receives) followed by
 * random filler up to the payload size. The receiver needs nothing but the bytes to compute the
 * latency, so sidecar and direct paths are measured the same way.
 */
final class Payloads {

    static final int HEADER_BYTES = Integer.BYTES + Long.BYTES + Long.BYTES;

    /** What a delivered payload says about itself. */
    record Stamp(int run, long sequence, long intendedNanos) {}

    private Payloads() {}

    /** A copy of {@code filler} (its length is the payload size) with the header written over its start. */
    static byte[] make(int run, long sequence, long intendedNanos, byte[] filler) {
        if (filler.length < HEADER_BYTES) {
            throw new IllegalArgumentException("payloads need at least " + HEADER_BYTES + " bytes, got " + filler.length);
        }
        byte[] payload = filler.clone();
        ByteBuffer.wrap(payload).putInt(run).putLong(sequence).putLong(intendedNanos);
        return payload;
    }

    /** The header of a delivered payload, or null when it is too short to carry one. */
    static @Nullable Stamp read(byte[] payload) {
        if (payload.length < HEADER_BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        return new Stamp(buffer.getInt(), buffer.getLong(), buffer.getLong());
    }
}
