package io.layotto.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Drives one pub/sub target whose subscription delivers to {@code router}.
 * <ul>
 *   <li>{@link #fixedRate}: open loop. Message {@code i} has the intended send time
 *       {@code start + i / rate}, written into the payload; it is published at that time (or at once
 *       when the publisher is late) without waiting for anything, and its latency runs from the
 *       intended time to its receipt by the subscriber. A stall anywhere (publish call, broker,
 *       sidecar, subscriber, this JVM) thus shows in every message due during it: coordinated
 *       omission is corrected by construction, as in {@link RateLimitedRunner}.</li>
 *   <li>{@link #saturation}: at most {@code window} messages outstanding (published and not yet
 *       received); the publisher sends the next one as soon as one is received. Throughput is the
 *       distinct messages received during the measured time; latency is send-to-receipt, queueing
 *       behind the window included.</li>
 * </ul>
 */
final class PubSubRunner {

    /** Bound on publish calls not yet answered in the open loop, so a stuck target cannot exhaust memory. */
    static final int MAX_PUBLISHES_IN_FLIGHT = 10_000;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final PubSubTarget target;
    private final DeliveryRouter router;
    private final PayloadFormat format;
    private final byte[] template;
    private final Duration drainTimeout;

    PubSubRunner(PubSubTarget target, DeliveryRouter router, PayloadFormat format, byte[] template) {
        this(target, router, format, template, DRAIN_TIMEOUT);
    }

    /**
     * @param template a payload of the run's size from {@code format}, stamped per message
     * @param drainTimeout how long to wait for the deliveries after the last publish
     */
    PubSubRunner(PubSubTarget target, DeliveryRouter router, PayloadFormat format, byte[] template, Duration drainTimeout) {
        this.target = target;
        this.router = router;
        this.format = format;
        this.template = template;
        this.drainTimeout = drainTimeout;
    }

    /**
     * Publishes {@code round(duration × rate)} messages. A publisher that falls behind goes on for at
     * most half the duration (at least 5 s) more; then waits up to the drain timeout for the
     * deliveries. The rate reported is distinct deliveries from the first intended send to the last receipt.
     */
    DeliveryResult fixedRate(int ratePerSecond, Duration duration) throws InterruptedException {
        DeliveryRun run = router.begin(null);
        var publishes = new Semaphore(MAX_PUBLISHES_IN_FLIGHT);
        long total = Math.max(1, Math.round(duration.toNanos() / 1e9 * ratePerSecond));
        double intervalNanos = 1e9 / ratePerSecond;
        long grace = Math.max(duration.toNanos() / 2, Duration.ofSeconds(5).toNanos());
        long start = System.nanoTime();
        long sendDeadline = start + duration.toNanos() + grace;
        long sent = 0;
        for (long i = 0; i < total; i++) {
            long intended = start + (long) (i * intervalNanos);
            long now = RateLimitedRunner.waitUntil(intended);
            if (now > sendDeadline || !publishes.tryAcquire(sendDeadline - now, TimeUnit.NANOSECONDS)) {
                break;
            }
            publish(run, i, intended).whenComplete((ignored, error) -> publishes.release());
            sent++;
        }
        run.awaitOutcomes(sent, drainTimeout);
        router.end(run);
        long wall = run.lastDeliveryNanos(start) - start;
        return run.finish(sent, total - sent, wall <= 0 ? 0 : run.delivered() * 1e9 / wall);
    }

    /** Keeps {@code window} messages outstanding for {@code duration}, then drains. */
    DeliveryResult saturation(int window, Duration duration) throws InterruptedException {
        var permits = new Semaphore(window);
        DeliveryRun run = router.begin(permits);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0 || !permits.tryAcquire(end - now, TimeUnit.NANOSECONDS)) {
                break;
            }
            publish(run, sent, System.nanoTime());
            sent++;
        }
        long deliveredInTime = run.delivered();
        long elapsed = System.nanoTime() - start;
        run.awaitOutcomes(sent, drainTimeout);
        router.end(run);
        return run.finish(sent, 0, deliveredInTime * 1e9 / elapsed);
    }

    private CompletableFuture<?> publish(DeliveryRun run, long sequence, long intendedNanos) {
        CompletableFuture<?> call;
        try {
            call = target.publish(format.make(run.id(), sequence, intendedNanos, template));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.whenComplete((ignored, error) -> {
            if (error != null) {
                run.publishFailed(error);
            }
        });
    }
}
