package io.layotto.bench;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of lock/sequencer request against one target. Lock pairs use a fresh resource per request
 * ({@code <prefix>lock:<seq>}), so every TryLock must succeed; ids come from one key per load and
 * must increase for STRONG (checked per call against the largest id seen before the call was sent).
 */
record LockSequencerLoad(LockSequencerTarget target, Kind kind, String prefix) implements Load {

    enum Kind {
        LOCK_PAIR("TryLock+Unlock pairs/s"),
        ID_STRONG("GetNextId STRONG ids/s"),
        ID_WEAK("GetNextId WEAK ids/s");

        private final String unit;

        Kind(String unit) {
            this.unit = unit;
        }

        String unit() {
            return unit;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    @Override
    public CompletableFuture<?> issue(long seq) {
        return switch (kind) {
            case LOCK_PAIR -> target.lockPair(prefix + "lock:" + seq, "owner-" + seq);
            case ID_STRONG -> target.nextId(prefix + "seq-strong", true).thenAccept(LockSequencerLoad::checkPositive);
            case ID_WEAK -> target.nextId(prefix + "seq-weak", false).thenAccept(LockSequencerLoad::checkPositive);
        };
    }

    private static void checkPositive(long id) {
        if (id <= 0) {
            throw new IllegalStateException("id " + id + " is not positive");
        }
    }

    @Override
    public Operation operationAt(long seq) {
        return Operation.SET;
    }
}
