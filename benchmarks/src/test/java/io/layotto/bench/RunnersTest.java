package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runners' bookkeeping against an in-JVM target; no performance is asserted. */
class RunnersTest {

    private static final byte[] VALUE = new byte[1024];

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void fixedRateSendsExactlyRateTimesDurationAlternatingSetAndGet() throws Exception {
        var target = new InJvmTarget(timer);

        RunResult result = new RateLimitedRunner(workload(target)).run(200, Duration.ofSeconds(1));

        assertThat(result.op(Operation.SET).latency().count()).isEqualTo(100);
        assertThat(result.op(Operation.GET).latency().count()).isEqualTo(100);
        assertThat(result.errors()).isZero();
        assertThat(result.unfinished()).isZero();
        assertThat(result.wallNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(990).toNanos());
    }

    @Test
    void fixedRateLatencyCountsFromTheIntendedStartSoAStallHitsEveryRequestScheduledDuringIt() throws Exception {
        // the target answers nothing between 300 ms and 600 ms after the first request
        var target = new InJvmTarget(timer);
        target.stallBetween(Duration.ofMillis(300), Duration.ofMillis(600));

        RunResult result = new RateLimitedRunner(workload(target)).run(200, Duration.ofSeconds(1));

        // ~30 % of the requests were due during the stall and waited 0..300 ms: they show up in p90.
        // Measured from the actual send (coordinated omission) only one request per stall would.
        assertThat(result.op(Operation.SET).latency().p90()).isGreaterThan(Duration.ofMillis(50).toNanos());
        assertThat(result.op(Operation.SET).latency().max()).isGreaterThan(Duration.ofMillis(250).toNanos());
    }

    @Test
    void wrongGetResultsAndFailuresAreCountedAsErrorsNotLatencies() throws Exception {
        var target = new InJvmTarget(timer);
        target.returnTruncatedValues();

        RunResult result = new RateLimitedRunner(workload(target)).run(100, Duration.ofMillis(500));

        assertThat(result.op(Operation.GET).errors()).isEqualTo(25);
        assertThat(result.op(Operation.GET).latency().count()).isZero();
        assertThat(result.op(Operation.SET).latency().count()).isEqualTo(25);
        assertThat(result.firstError()).contains("get returned 10 bytes, expected 1024");
    }

    @Test
    void saturationKeepsTheGivenNumberOfRequestsOutstanding() {
        var target = new InJvmTarget(timer);

        RunResult result = new ClosedLoopRunner(workload(target)).run(8, Duration.ofMillis(500));

        assertThat(target.maxOutstanding()).isEqualTo(8);
        assertThat(result.completed()).isPositive();
        assertThat(result.op(Operation.SET).latency().count() - result.op(Operation.GET).latency().count())
                .isBetween(-8L, 8L);
        assertThat(result.errors()).isZero();
    }

    private static Workload workload(StateTarget target) {
        return new Workload(target, "k:", 10, VALUE);
    }

    /** Answers every call 1 ms later on a timer thread, optionally stalling or truncating. */
    private static final class InJvmTarget implements StateTarget {
        private final ScheduledExecutorService timer;
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicInteger maxOutstanding = new AtomicInteger();
        private long firstCall = -1;
        private Duration stallFrom = Duration.ZERO;
        private Duration stallUntil = Duration.ZERO;
        private boolean truncate;

        InJvmTarget(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        void stallBetween(Duration from, Duration until) {
            stallFrom = from;
            stallUntil = until;
        }

        void returnTruncatedValues() {
            truncate = true;
        }

        int maxOutstanding() {
            return maxOutstanding.get();
        }

        @Override
        public String name() {
            return "in-jvm";
        }

        @Override
        public String describeCalls() {
            return "in-JVM timer";
        }

        @Override
        public CompletableFuture<Void> save(String key, byte[] value) {
            return answer(null);
        }

        @Override
        public CompletableFuture<byte[]> get(String key) {
            return answer(truncate ? new byte[10] : VALUE);
        }

        private synchronized <T> CompletableFuture<T> answer(T value) {
            long now = System.nanoTime();
            if (firstCall < 0) {
                firstCall = now;
            }
            long sinceFirst = now - firstCall;
            long delay = TimeUnit.MILLISECONDS.toNanos(1);
            if (sinceFirst >= stallFrom.toNanos() && sinceFirst < stallUntil.toNanos()) {
                delay = stallUntil.toNanos() - sinceFirst;
            }
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            var future = new CompletableFuture<T>();
            timer.schedule(() -> {
                outstanding.decrementAndGet();
                future.complete(value);
            }, delay, TimeUnit.NANOSECONDS);
            return future;
        }

        @Override
        public void close() {}
    }
}
