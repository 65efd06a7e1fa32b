package io.layotto.bench;

import java.util.concurrent.CompletableFuture;

/** What the runners drive: request number {@code seq} and the operation its latency is recorded under. */
interface Load {

    CompletableFuture<?> issue(long seq);

    /** Single-operation loads (lock pairs, ids) record everything under {@link Operation#SET}. */
    Operation operationAt(long seq);
}
