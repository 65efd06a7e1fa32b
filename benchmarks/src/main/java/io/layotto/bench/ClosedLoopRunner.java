package io.layotto.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Saturation: {@code concurrency} streams (virtual threads), each sending its next request as soon
 * as the previous one answered, for a fixed time. Gives the highest throughput the target sustains
 * with that many outstanding requests; latency here is per-request service time (in a closed loop
 * there is no intended schedule to correct against).
 */
final class ClosedLoopRunner {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Load workload;

    ClosedLoopRunner(Load workload) {
        this.workload = workload;
    }

    RunResult run(int concurrency, Duration duration) {
        var recorder = new LatencyRecorder();
        var sequence = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        var lastCompletion = new AtomicLong(start);
        try (var streams = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int stream = 0; stream < concurrency; stream++) {
                streams.submit(() -> {
                    while (System.nanoTime() < end) {
                        long seq = sequence.getAndIncrement();
                        long sent = System.nanoTime();
                        Throwable error = await(seq);
                        long done = System.nanoTime();
                        recorder.record(workload.operationAt(seq), done - sent, error);
                        lastCompletion.accumulateAndGet(done, Math::max);
                    }
                });
            }
        }
        return recorder.finish(lastCompletion.get() - start, 0);
    }

    private @Nullable Throwable await(long seq) {
        try {
            CompletableFuture<?> call = workload.issue(seq);
            call.get(REQUEST_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException | RuntimeException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }
}
