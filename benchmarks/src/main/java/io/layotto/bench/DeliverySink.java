package io.layotto.bench;

/** Where a subscriber hands every payload it receives, with the {@link System#nanoTime()} of receipt. */
@FunctionalInterface
interface DeliverySink {

    void received(byte[] payload, long receivedNanos);
}
