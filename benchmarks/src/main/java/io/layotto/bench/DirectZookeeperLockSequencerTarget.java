package io.layotto.bench;

import io.layotto.spi.sequencer.GroupCommit;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Curator on the same ZooKeeper server, one client, doing what the zookeeper components do. A pair
 * is the lock store's calls, blocking, on as many threads as callers (the sidecar runs this
 * blocking store on its handler threads): TryLock = one multi (bump the generation stripe + create
 * the lock node); Unlock = read the stripe's version, read the node, then one multi (check the
 * stripe + delete the node with its version + stamp the server clock node, whose time tells
 * whether the lease had run out). Ids are the sequencer's: a
 * versioned setData from the counter last written (a read first if unknown), in the background, one
 * update in flight per key serving the calls that queued meanwhile (group commit).
 */
final class DirectZookeeperLockSequencerTarget implements LockSequencerTarget {

    private static final String LOCKS = "/bench/lock";
    private static final String GENERATIONS = LOCKS + "/.gen";
    private static final String CLOCK = LOCKS + "/.clock";
    private static final String SEQUENCES = "/bench/sequencer";
    private static final int STRIPES = 64;
    private static final byte[] NOTHING = new byte[0];

    private final CuratorFramework zk;
    private final ExecutorService lockThreads;
    private final GroupCommit ids = new GroupCommit(this::advance);
    /** Per key: the counter last written and its node version. */
    private final ConcurrentHashMap<String, long[]> known = new ConcurrentHashMap<>();

    DirectZookeeperLockSequencerTarget(String connectString, int callers) throws Exception {
        zk = CuratorFrameworkFactory.newClient(connectString, new RetryOneTime(100));
        zk.start();
        if (!zk.blockUntilConnected(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("ZooKeeper at " + connectString + " not reachable");
        }
        for (int i = 0; i < STRIPES; i++) {
            zk.create().creatingParentsIfNeeded().forPath(GENERATIONS + "/" + i, NOTHING);
        }
        zk.create().creatingParentsIfNeeded().forPath(CLOCK, NOTHING);
        zk.create().creatingParentsIfNeeded().forPath(SEQUENCES, NOTHING);
        lockThreads = Executors.newFixedThreadPool(callers, Thread.ofPlatform().daemon().name("zk-direct-", 0).factory());
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public String describeCalls() {
        return "Curator, one client: pair (blocking, on a thread per caller) = multi(setData generation stripe + create node)"
                + " + exists(stripe) + getData(node) + multi(check stripe + delete node + setData(clock node)), read again if the stripe moved;"
                + " ids = setData with the version last written (getData first if unknown), in the background,"
                + " one update per key serving the calls that queued meanwhile (group commit, as the sidecar's zookeeper sequencer)";
    }

    @Override
    public CompletableFuture<Void> lockPair(String resource, String owner) {
        return CompletableFuture.runAsync(() -> {
            try {
                String path = LOCKS + "/" + resource;
                String generation = GENERATIONS + "/" + Math.floorMod(resource.hashCode(), STRIPES);
                byte[] data = ((LOCK_SECONDS * 1000L) + "\n" + owner).getBytes(StandardCharsets.UTF_8);
                zk.transaction().forOperations(zk.transactionOp().setData().forPath(generation, NOTHING),
                        zk.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, data));
                while (true) { // as the store's unlock: read again when another lock of the stripe moved it
                    Stat stripe = zk.checkExists().forPath(generation);
                    Stat node = new Stat();
                    byte[] held = zk.getData().storingStatIn(node).forPath(path);
                    if (!new String(held, StandardCharsets.UTF_8).endsWith("\n" + owner)) {
                        throw new IllegalStateException("lock node of " + resource + " holds another owner");
                    }
                    try {
                        long stamped = zk.transaction().forOperations(
                                zk.transactionOp().check().withVersion(stripe.getVersion()).forPath(generation),
                                zk.transactionOp().delete().withVersion(node.getVersion()).forPath(path),
                                zk.transactionOp().setData().forPath(CLOCK, NOTHING)).getLast().getResultStat().getMtime();
                        if (stamped >= node.getMtime() + LOCK_SECONDS * 1000L) {
                            throw new IllegalStateException("lease of " + resource + " ran out before its unlock");
                        }
                        return;
                    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
                        // another lock of the stripe was taken since the read: read again
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("lock pair of " + resource + " failed: " + e, e);
            }
        }, lockThreads);
    }

    @Override
    public CompletableFuture<Long> nextId(String key, boolean strong) {
        return ids.take(key, 1);
    }

    /** One update of the group commit: adds {@code total} to the counter of {@code key}. */
    private CompletableFuture<Long> advance(String key, long total) {
        String path = SEQUENCES + "/" + key;
        long[] cached = known.get(key);
        CompletableFuture<long[]> current = cached != null ? CompletableFuture.completedFuture(cached) : read(path);
        return current.thenCompose(counter -> write(key, path, counter, counter[0] + total));
    }

    private CompletableFuture<long[]> read(String path) {
        return background(callback -> zk.getData().inBackground(callback).forPath(path)).thenApply(event ->
                switch (KeeperException.Code.get(event.getResultCode())) {
                    case OK -> new long[] {Long.parseLong(new String(event.getData(), StandardCharsets.US_ASCII)),
                        event.getStat().getVersion()};
                    case NONODE -> new long[] {0, -1};
                    default -> throw new IllegalStateException("read of " + path + ": " + event.getResultCode());
                });
    }

    private CompletableFuture<Long> write(String key, String path, long[] expected, long next) {
        byte[] data = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
        boolean create = expected[1] < 0;
        return background(callback -> {
            if (create) {
                zk.create().inBackground(callback).forPath(path, data);
            } else {
                zk.setData().withVersion((int) expected[1]).inBackground(callback).forPath(path, data);
            }
        }).thenCompose(event -> switch (KeeperException.Code.get(event.getResultCode())) {
            case OK -> {
                known.put(key, new long[] {next, create ? 0 : event.getStat().getVersion()});
                yield CompletableFuture.completedFuture(next);
            }
            case NODEEXISTS, BADVERSION, NONODE -> read(path).thenCompose(now -> write(key, path, now, now[0] + next - expected[0]));
            default -> CompletableFuture.failedFuture(new IllegalStateException("write of " + path + ": " + event.getResultCode()));
        });
    }

    private interface Operation {
        void start(BackgroundCallback callback) throws Exception;
    }

    private static CompletableFuture<CuratorEvent> background(Operation operation) {
        CompletableFuture<CuratorEvent> done = new CompletableFuture<>();
        try {
            operation.start((client, event) -> done.complete(event));
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public boolean hasWeak() {
        return false;
    }

    @Override
    public void close() {
        lockThreads.shutdownNow();
        zk.close();
    }
}
