package io.layotto.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The sink one target's subscription delivers to for its whole life: it hands each payload to the
 * run in progress, by the run id in the payload. Payloads of earlier runs (late redeliveries, a
 * warm-up's tail) are counted as strays and otherwise ignored, so runs never mix.
 */
final class DeliveryRouter implements DeliverySink {

    private final PayloadFormat format;
    private final int payloadSize;
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicLong strays = new AtomicLong();
    private volatile @Nullable DeliveryRun current;

    DeliveryRouter(PayloadFormat format, int payloadSize) {
        this.format = format;
        this.payloadSize = payloadSize;
    }

    /** Starts a new run; deliveries of any earlier run are strays from now on. */
    DeliveryRun begin(@Nullable Semaphore window) {
        DeliveryRun run = new DeliveryRun(runs.incrementAndGet(), window);
        current = run;
        return run;
    }

    void end(DeliveryRun run) {
        if (current == run) {
            current = null;
        }
    }

    long strays() {
        return strays.get();
    }

    @Override
    public void received(byte[] payload, long receivedNanos) {
        DeliveryRun run = current;
        PayloadFormat.Stamp stamp = format.read(payload);
        if (stamp != null && (run == null || stamp.run() != run.id())) {
            strays.incrementAndGet();
            return;
        }
        if (run == null) {
            strays.incrementAndGet();
        } else if (stamp == null || payload.length != payloadSize) {
            run.corrupt(payload.length + " bytes, expected " + payloadSize);
        } else {
            run.delivered(stamp.sequence(), stamp.intendedNanos(), receivedNanos);
        }
    }
}
