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
import io.layotto.spi.sequencer.GroupCommit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * jetcd on the same etcd, one client, doing what the etcd components do: a pair = lease grant,
 * transaction "create revision == 0 -> put with the lease", transaction "value == owner -> delete",
 * lease revoke (not awaited, as the component); ids = read, then compare-and-swap on the mod
 * revision, retried from the value the failed transaction read, advancing the counter by the
 * number of calls of the key that waited for the previous swap (group commit, as the component).
 */
final class DirectEtcdLockSequencerTarget implements LockSequencerTarget {

    private final Client client;
    private final GroupCommit ids = new GroupCommit(this::advance);

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
                + " + txn(value == owner -> delete) + revoke (not awaited); ids = get + txn(mod revision == read -> put n+k), retried on conflict,"
                + " one at a time per key, serving the k calls that queued meanwhile (group commit, as the sidecar's etcd sequencer)";
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
        // requests"), so, like the sidecar, one swap per key is in flight and the calls that arrive
        // meanwhile are served together by the next one (the counter advances by their number).
        return ids.take(key, 1);
    }

    /** One update of the group commit: adds {@code total} to the counter of {@code key}. */
    private CompletableFuture<Long> advance(String key, long total) {
        ByteSequence etcdKey = bytes(key);
        return client.getKVClient().get(etcdKey).thenCompose(read -> swap(etcdKey, read.getKvs(), total));
    }

    private CompletableFuture<Long> swap(ByteSequence key, List<KeyValue> current, long count) {
        long modRevision = current.isEmpty() ? 0 : current.getFirst().getModRevision();
        long next = (current.isEmpty() ? 0 : Long.parseLong(current.getFirst().getValue().toString(StandardCharsets.UTF_8))) + count;
        return client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
                .Then(Op.put(key, bytes(Long.toString(next)), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit()
                .thenCompose((TxnResponse response) -> response.isSucceeded()
                        ? CompletableFuture.completedFuture(next)
                        : swap(key, response.getGetResponses().getFirst().getKvs(), count));
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
