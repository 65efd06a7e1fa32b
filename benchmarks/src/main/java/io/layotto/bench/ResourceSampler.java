package io.layotto.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures a process over one run: CPU seconds used (difference of /proc counters between start
 * and stop) and resident memory, sampled every 100 ms for the peak, read once more at the end.
 */
final class ResourceSampler {

    private static final long SAMPLE_MILLIS = 100;

    private final ProcessStats stats;
    private final AtomicLong peakRssKb = new AtomicLong();
    private double cpuAtStart;
    private long startNanos;
    private Thread sampler = Thread.ofPlatform().unstarted(() -> {});

    ResourceSampler(ProcessStats stats) {
        this.stats = stats;
    }

    void start() {
        peakRssKb.set(stats.rssKb());
        cpuAtStart = stats.cpuSeconds();
        startNanos = System.nanoTime();
        sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(this::sampleUntilInterrupted);
    }

    ResourceUse stop() throws InterruptedException {
        double cpu = stats.cpuSeconds() - cpuAtStart;
        double wall = (System.nanoTime() - startNanos) / 1e9;
        sampler.interrupt();
        sampler.join();
        long endRss = stats.rssKb();
        return new ResourceUse(cpu, wall, Math.max(peakRssKb.get(), endRss), endRss);
    }

    private void sampleUntilInterrupted() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long rss = stats.rssKb();
                peakRssKb.accumulateAndGet(rss, Math::max);
                Thread.sleep(SAMPLE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU and memory of the sidecar process during one measured run. */
    record ResourceUse(double cpuSeconds, double wallSeconds, long peakRssKb, long endRssKb) {

        /** Average number of CPUs busy: CPU seconds per wall second. */
        double averageVcpu() {
            return wallSeconds == 0 ? 0 : cpuSeconds / wallSeconds;
        }

        double cpuSecondsPerThousandRequests(long requests) {
            return requests == 0 ? 0 : cpuSeconds * 1000 / requests;
        }
    }
}
