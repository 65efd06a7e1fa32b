package io.layotto.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * jetcd on the same etcd, one client, doing what the etcd components do: a pair = lease grant,
 * transaction "create revision == 0 -> put with the lease", transaction "value == owner -> delete",
 * lease revoke (not awaited, as the component); an id = read, then compare-and-swap on the mod
 * revision, retried from the value the failed transaction read.
 */
final class DirectEtcdLockSequencerTarget implements LockSequencerTarget {

    private final Client client;
    /** The last call per key; the next call on the key waits for it. */
    private final ConcurrentHashMap<String, CompletableFuture<Long>> turns = new ConcurrentHashMap<>();

    DirectEtcdLockSequencerTarget(String endpoint) {
        client = Client.builder().endpoints("http://" + endpoint).build();
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "jetcd, one client: pair = lease grant " + LOCK_SECONDS + " s + txn(create revision == 0 -> put with lease)"
                + " + txn(value == owner -> delete) + revoke (not awaited); id = get + txn(mod revision == read -> put n+1), retried on conflict,"
                + " one at a time per key (callers queue per key, as the sidecar's etcd sequencer does)";
    }

    @Override
    public CompletableFuture<Void> lockPair(String resource, String owner) {
        ByteSequence key = bytes(resource);
        ByteSequence value = bytes(owner);
        return client.getLeaseClient().grant(LOCK_SECONDS).thenCompose(lease -> client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key, value, PutOption.builder().withLeaseId(lease.getID()).build()))
                        .commit()
                        .thenCompose(taken -> {
                            if (!taken.isSucceeded()) {
                                throw new IllegalStateException("lock txn of free key " + resource + " refused");
                            }
                            return client.getKVClient().txn()
                                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(value)))
                                    .Then(Op.delete(key, DeleteOption.DEFAULT))
                                    .commit();
                        })
                        .thenAccept(released -> {
                            if (!released.isSucceeded()) {
                                throw new IllegalStateException("owner-checked delete of " + resource + " refused");
                            }
                            client.getLeaseClient().revoke(lease.getID());
                        }));
    }

    @Override
    public CompletableFuture<Long> nextId(String key, boolean strong) {
        // Concurrent CAS loops on one key mostly conflict and retry (etcd then answers "too many
        // requests"), so, like the sidecar, callers take turns per key: each call starts when the
        // previous call on the key has finished.
        CompletableFuture<Long> result = new CompletableFuture<>();
        CompletableFuture<Long> previous = turns.put(key, result);
        Runnable start = () -> {
            ByteSequence etcdKey = bytes(key);
            client.getKVClient().get(etcdKey).thenCompose(read -> swap(etcdKey, read.getKvs()))
                    .whenComplete((id, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                        } else {
                            result.complete(id);
                        }
                    });
        };
        if (previous == null) {
            start.run();
        } else {
            previous.whenComplete((id, failure) -> start.run());
        }
        return result;
    }

    private CompletableFuture<Long> swap(ByteSequence key, List<KeyValue> current) {
        long modRevision = current.isEmpty() ? 0 : current.getFirst().getModRevision();
        long next = (current.isEmpty() ? 0 : Long.parseLong(current.getFirst().getValue().toString(StandardCharsets.UTF_8))) + 1;
        return client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                .Then(Op.put(key, bytes(Long.toString(next)), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit()
                .thenCompose((TxnResponse response) -> response.isSucceeded()
                        ? CompletableFuture.completedFuture(next)
                        : swap(key, response.getGetResponses().getFirst().getKvs()));
    }

    @Override
    public boolean hasWeak() {
        return false;
    }

    @Override
    public void close() {
        client.close();
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
