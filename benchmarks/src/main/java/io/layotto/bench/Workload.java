package io.layotto.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The request mix: request number {@code seq} is a save when even and a get when odd, over a fixed
 * set of keys that {@link #populate} writes first, so every get must return the full value (a get
 * that returns anything else counts as an error; that keeps both targets honest).
 */
final class Workload implements Load {

    private final StateTarget target;
    private final String keyPrefix;
    private final int keyCount;
    private final byte[] value;

    Workload(StateTarget target, String keyPrefix, int keyCount, byte[] value) {
        this.target = target;
        this.keyPrefix = keyPrefix;
        this.keyCount = keyCount;
        this.value = value;
    }

    StateTarget target() {
        return target;
    }

    @Override
    public Operation operationAt(long seq) {
        return operationOf(seq);
    }

    static Operation operationOf(long seq) {
        return seq % 2 == 0 ? Operation.SET : Operation.GET;
    }

    String keyAt(long seq) {
        return keyPrefix + (seq / 2) % keyCount;
    }

    @Override
    public CompletableFuture<?> issue(long seq) {
        String key = keyAt(seq);
        return switch (operationOf(seq)) {
            case SET -> target.save(key, value);
            case GET -> target.get(key).thenAccept(this::checkFullValue);
        };
    }

    private void checkFullValue(byte[] data) {
        if (data.length != value.length) {
            throw new IllegalStateException("get returned " + data.length + " bytes, expected " + value.length);
        }
    }

    /** Writes every key once, at most {@code concurrency} saves in flight. */
    void populate(int concurrency) throws InterruptedException {
        var permits = new Semaphore(concurrency);
        var failure = new CompletableFuture<Void>();
        for (int i = 0; i < keyCount && !failure.isDone(); i++) {
            permits.acquire();
            target.save(keyAt(2L * i), value).whenComplete((ok, error) -> {
                if (error != null) {
                    failure.completeExceptionally(error);
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(concurrency, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("populating " + keyCount + " keys on " + target.name() + " timed out");
        }
        if (failure.isCompletedExceptionally()) {
            throw new IllegalStateException("populating keys on " + target.name() + " failed: "
                    + failure.exceptionNow().getMessage(), failure.exceptionNow());
        }
    }
}
