package io.layotto.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed rate. Request {@code i} has an intended start time
 * {@code start + i / rate}; the generator sends it at that time (or as soon as it can, when it is
 * late) without waiting for earlier responses, and its latency is measured from the intended time.
 * So a stall of the target (or of this JVM) shows up in the latency of every request that should
 * have been sent during the stall, not just in the one that was waiting: coordinated omission is
 * corrected by construction.
 */
final class RateLimitedRunner {

    /** Bound on outstanding requests, so a target that stops answering cannot exhaust memory. */
    static final int MAX_IN_FLIGHT = 10_000;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Load workload;

    RateLimitedRunner(Load workload) {
        this.workload = workload;
    }

    /**
     * Sends {@code round(duration × rate)} requests. If the target cannot keep up, sending goes on
     * past the duration for at most half the duration (at least 5 s) more; what was never sent or
     * never answered is reported as unfinished.
     */
    RunResult run(int ratePerSecond, Duration duration) throws InterruptedException {
        var recorder = new LatencyRecorder();
        var permits = new Semaphore(MAX_IN_FLIGHT);
        var lastCompletion = new AtomicLong();
        long total = Math.max(1, Math.round(duration.toNanos() / 1e9 * ratePerSecond));
        double intervalNanos = 1e9 / ratePerSecond;
        long grace = Math.max(duration.toNanos() / 2, Duration.ofSeconds(5).toNanos());

        long start = System.nanoTime();
        long sendDeadline = start + duration.toNanos() + grace;
        lastCompletion.set(start);
        long unfinished = 0;
        for (long i = 0; i < total; i++) {
            long intended = start + (long) (i * intervalNanos);
            long now = waitUntil(intended);
            if (now > sendDeadline || !permits.tryAcquire(sendDeadline - now, TimeUnit.NANOSECONDS)) {
                unfinished = total - i;
                break;
            }
            Operation op = workload.operationAt(i);
            issue(i).whenComplete((ignored, error) -> {
                long done = System.nanoTime();
                recorder.record(op, done - intended, error);
                lastCompletion.accumulateAndGet(done, Math::max);
                permits.release();
            });
        }
        if (!permits.tryAcquire(MAX_IN_FLIGHT, DRAIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            unfinished += MAX_IN_FLIGHT - permits.availablePermits();
        }
        return recorder.finish(lastCompletion.get() - start, unfinished);
    }

    private CompletableFuture<?> issue(long seq) {
        try {
            return workload.issue(seq);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Parks (no busy spinning: the machine may be small) until {@code deadline}; returns the time. */
    static long waitUntil(long deadline) {
        long now = System.nanoTime();
        while (now < deadline) {
            LockSupport.parkNanos(deadline - now);
            now = System.nanoTime();
        }
        return now;
    }
}
