package io.layotto.bench;

import java.util.concurrent.CompletableFuture;

/** Something that can save and read a keyed value asynchronously: the sidecar or Redis directly. */
interface StateTarget extends AutoCloseable {

    /** Short label used in the report, e.g. {@code sidecar}. */
    String name();

    /** One line saying exactly which calls a save and a get are, for the report. */
    String describeCalls();

    CompletableFuture<Void> save(String key, byte[] value);

    /** Completes with the stored bytes, or an empty array when the key is missing. */
    CompletableFuture<byte[]> get(String key);

    @Override
    void close();
}
