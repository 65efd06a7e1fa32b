package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pub/sub runners' bookkeeping against an in-JVM loopback broker; no performance is asserted. */
class PubSubRunnerTest {

    private static final byte[] FILLER = new byte[256];

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void fixedRatePublishesRateTimesDurationAndEveryMessageArrivesOnce() throws Exception {
        var broker = new LoopbackBroker(timer);

        DeliveryResult result = runner(broker).fixedRate(200, Duration.ofSeconds(1));

        assertThat(result.sent()).isEqualTo(200);
        assertThat(result.delivered()).isEqualTo(200);
        assertThat(result.latency().count()).isEqualTo(200);
        assertThat(result.clean()).isTrue();
        assertThat(result.deliveredPerSecond()).isBetween(150.0, 210.0);
    }

    @Test
    void fixedRateLatencyRunsFromTheIntendedSendTimeSoAStallHitsEveryMessageDueDuringIt() throws Exception {
        var broker = new LoopbackBroker(timer);
        broker.stallPublishesBetween(Duration.ofMillis(300), Duration.ofMillis(600));

        DeliveryResult result = runner(broker).fixedRate(200, Duration.ofSeconds(1));

        // the publish calls block the generator for 300 ms; measured from the actual send, only one would show it
        assertThat(result.latency().p90()).isGreaterThan(Duration.ofMillis(50).toNanos());
        assertThat(result.latency().max()).isGreaterThan(Duration.ofMillis(250).toNanos());
        assertThat(result.delivered()).isEqualTo(200);
    }

    @Test
    void lostMessagesAreUnfinishedAndRedeliveriesAreDuplicates() throws Exception {
        var broker = new LoopbackBroker(timer);
        broker.dropEvery(10);
        broker.duplicateEvery(4);

        DeliveryResult result = new PubSubRunner(broker, broker.router, PayloadFormat.BINARY, FILLER, Duration.ofSeconds(1))
                .fixedRate(100, Duration.ofMillis(500));

        assertThat(result.sent()).isEqualTo(50);
        assertThat(result.delivered()).isEqualTo(45);
        assertThat(result.unfinished()).isEqualTo(5);
        assertThat(result.duplicates()).isPositive();
        assertThat(result.clean()).isFalse();
    }

    @Test
    void saturationNeverHasMoreThanTheWindowOutstanding() throws Exception {
        var broker = new LoopbackBroker(timer);

        DeliveryResult result = runner(broker).saturation(8, Duration.ofMillis(500));

        assertThat(broker.maxOutstanding()).isEqualTo(8);
        assertThat(result.delivered()).isEqualTo(result.sent()).isPositive();
        assertThat(result.deliveredPerSecond()).isPositive();
        assertThat(result.clean()).isTrue();
    }

    private static PubSubRunner runner(LoopbackBroker broker) {
        return new PubSubRunner(broker, broker.router, PayloadFormat.BINARY, FILLER);
    }

    /** Accepts each publish at once and delivers it 1 ms later on a timer thread; can stall, drop and duplicate. */
    private static final class LoopbackBroker implements PubSubTarget {
        final DeliveryRouter router = new DeliveryRouter(PayloadFormat.BINARY, FILLER.length);
        private final ScheduledExecutorService timer;
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicInteger maxOutstanding = new AtomicInteger();
        private final AtomicLong published = new AtomicLong();
        private long firstPublish = -1;
        private Duration stallFrom = Duration.ZERO;
        private Duration stallUntil = Duration.ZERO;
        private int dropEvery;
        private int duplicateEvery;

        LoopbackBroker(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        void stallPublishesBetween(Duration from, Duration until) {
            stallFrom = from;
            stallUntil = until;
        }

        void dropEvery(int n) {
            dropEvery = n;
        }

        void duplicateEvery(int n) {
            duplicateEvery = n;
        }

        int maxOutstanding() {
            return maxOutstanding.get();
        }

        @Override
        public String name() {
            return "loopback";
        }

        @Override
        public String describeCalls() {
            return "in-JVM timer";
        }

        @Override
        public void subscribe(DeliverySink sink) {
            // deliveries go straight to the router
        }

        @Override
        public CompletableFuture<?> publish(byte[] payload) {
            long now = System.nanoTime();
            synchronized (this) {
                if (firstPublish < 0) {
                    firstPublish = now;
                }
            }
            long since = now - firstPublish;
            if (since >= stallFrom.toNanos() && since < stallUntil.toNanos()) {
                sleep(stallUntil.toNanos() - since);
            }
            long n = published.incrementAndGet();
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            if (dropEvery > 0 && n % dropEvery == 0) {
                outstanding.decrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            timer.schedule(() -> {
                outstanding.decrementAndGet();
                router.received(payload, System.nanoTime());
                if (duplicateEvery > 0 && n % duplicateEvery == 0) {
                    router.received(payload, System.nanoTime());
                }
            }, 1, TimeUnit.MILLISECONDS);
            return CompletableFuture.completedFuture(null);
        }

        private static void sleep(long nanos) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {}
    }
}
