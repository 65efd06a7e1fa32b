package io.layotto.bench;

import org.jspecify.annotations.Nullable;

/**
 * What one measured pub/sub run of one target produced.
 *
 * @param latency first deliveries only, from the intended send time to receipt
 * @param sent messages published (accepted or not)
 * @param delivered distinct messages received
 * @param duplicates further deliveries of messages already received (at-least-once redeliveries)
 * @param corrupt deliveries whose bytes were not a payload of this run's size
 * @param unfinished messages never sent, or sent and neither delivered nor failed before the drain timeout
 * @param deliveredPerSecond distinct deliveries per second (how each runner measures it is in the report)
 */
record DeliveryResult(LatencySummary latency, long sent, long delivered, long duplicates, long corrupt,
        long publishErrors, long unfinished, double deliveredPerSecond, @Nullable String firstError) {

    /** Nothing lost, nothing corrupt, every publish accepted. */
    boolean clean() {
        return publishErrors == 0 && unfinished == 0 && corrupt == 0;
    }
}
