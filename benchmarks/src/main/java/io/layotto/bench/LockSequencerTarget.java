package io.layotto.bench;

import java.util.concurrent.CompletableFuture;

/** A lock + id source: the sidecar (Layotto API) or a backend's own client doing the same work. */
interface LockSequencerTarget extends AutoCloseable {

    /** Lease of every benchmark lock, seconds: far longer than a pair takes, so none expires mid-pair. */
    int LOCK_SECONDS = 10;

    String name();

    /** One line saying which calls a lock pair and an id are, for the report. */
    String describeCalls();

    /** Takes the free lock {@code resource} for {@code owner}, then releases it; fails if either step is refused. */
    CompletableFuture<Void> lockPair(String resource, String owner);

    /** The next id of {@code key}; {@code strong} = one backend round trip per id. */
    CompletableFuture<Long> nextId(String key, boolean strong);

    /** False when the target has no WEAK mode of its own (a direct client has no segment cache). */
    boolean hasWeak();

    @Override
    void close();
}
