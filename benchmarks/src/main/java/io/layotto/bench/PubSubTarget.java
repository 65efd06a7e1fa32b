package io.layotto.bench;

import java.util.concurrent.CompletableFuture;

/** A way to publish to and subscribe to one topic: through the sidecar, or with a broker's own client. */
interface PubSubTarget extends AutoCloseable {

    /** Short label used in the report, e.g. {@code sidecar}. */
    String name();

    /** One line saying exactly which calls publish and subscribe are, for the report. */
    String describeCalls();

    /** Subscribes and hands every message received from now on to {@code sink}; returns once subscribed. */
    void subscribe(DeliverySink sink) throws Exception;

    /** Publishes one message; completes when the sidecar or broker accepted it. */
    CompletableFuture<?> publish(byte[] payload);

    @Override
    void close();
}
