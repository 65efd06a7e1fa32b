package io.layotto.bench;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Bookkeeping of one measured (or warm-up) pub/sub run: the first delivery of each sequence number
 * is recorded in a wait-free HdrHistogram {@link Recorder} (nanoseconds from the intended send time
 * to receipt); later deliveries of the same number are counted as duplicates (at-least-once), not
 * as latencies. With a {@code window}, every outcome of a message (first delivery or failed
 * publish) gives its permit back to the publisher.
 */
final class DeliveryRun {

    private final int id;
    private final @Nullable Semaphore window;
    private final Recorder latencies = new Recorder(3);
    private final BitSet seen = new BitSet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong publishErrors = new AtomicLong();
    private final AtomicLong lastDeliveryNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicReference<@Nullable String> firstError = new AtomicReference<>();

    DeliveryRun(int id, @Nullable Semaphore window) {
        this.id = id;
        this.window = window;
    }

    int id() {
        return id;
    }

    void delivered(long sequence, long intendedNanos, long receivedNanos) {
        if (sequence < 0 || sequence > Integer.MAX_VALUE) {
            corrupt("sequence number " + sequence + " out of range");
            return;
        }
        boolean first;
        synchronized (seen) {
            first = !seen.get((int) sequence);
            if (first) {
                seen.set((int) sequence);
            }
        }
        if (!first) {
            duplicates.incrementAndGet();
            return;
        }
        latencies.recordValue(Math.max(0, receivedNanos - intendedNanos));
        delivered.incrementAndGet();
        lastDeliveryNanos.accumulateAndGet(receivedNanos, Math::max);
        if (window != null) {
            window.release();
        }
    }

    void publishFailed(Throwable error) {
        publishErrors.incrementAndGet();
        firstError.compareAndSet(null, "publish: " + describe(error));
        if (window != null) {
            window.release();
        }
    }

    /** A delivery whose bytes are not a payload of this benchmark (wrong size or header). */
    void corrupt(String what) {
        corrupt.incrementAndGet();
        firstError.compareAndSet(null, "corrupt delivery: " + what);
    }

    long delivered() {
        return delivered.get();
    }

    /** Waits (polling, bounded) until each of {@code sent} messages was delivered or failed to publish. */
    boolean awaitOutcomes(long sent, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (delivered.get() + publishErrors.get() < sent) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * The result; call once, after {@link #awaitOutcomes}.
     *
     * @param unsent messages the publisher never sent (it could not keep up)
     * @param deliveredPerSecond the delivery rate the run measured (see the runners)
     */
    DeliveryResult finish(long sent, long unsent, double deliveredPerSecond) {
        long outcomes = delivered.get() + publishErrors.get();
        return new DeliveryResult(LatencySummary.of(latencies.getIntervalHistogram()), sent, delivered.get(),
                duplicates.get(), corrupt.get(), publishErrors.get(), unsent + Math.max(0, sent - outcomes),
                deliveredPerSecond, firstError.get());
    }

    /** Time of the last first delivery, or {@code fallback} when nothing was delivered. */
    long lastDeliveryNanos(long fallback) {
        long last = lastDeliveryNanos.get();
        return last == Long.MIN_VALUE ? fallback : last;
    }

    private static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause != cause.getCause()) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
