package io.layotto.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdResponse;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions;
import spec.proto.runtime.v1.RuntimeProto.TryLockRequest;
import spec.proto.runtime.v1.RuntimeProto.TryLockResponse;
import spec.proto.runtime.v1.RuntimeProto.UnlockRequest;
import spec.proto.runtime.v1.RuntimeProto.UnlockResponse;

/** The sidecar through Layotto's gRPC API (async stub, one plaintext channel, direct executor like {@link SidecarTarget}). */
final class SidecarLockSequencerTarget implements LockSequencerTarget {

    private final ManagedChannel channel;
    private final RuntimeGrpc.RuntimeStub stub;
    private final String lockStore;
    private final String sequencerStore;
    private final String backend;

    SidecarLockSequencerTarget(String host, int port, String lockStore, String sequencerStore, String backend) {
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
        this.stub = RuntimeGrpc.newStub(channel);
        this.lockStore = lockStore;
        this.sequencerStore = sequencerStore;
        this.backend = backend;
    }

    @Override
    public String name() {
        return "sidecar";
    }

    @Override
    public String describeCalls() {
        return "Layotto gRPC, async stub, one channel: pair = TryLock (expire " + LOCK_SECONDS
                + " s) then Unlock on lock store of type " + backend + "; id = GetNextId STRONG / WEAK on a sequencer of type "
                + backend + " (default segmentSize 10000 for WEAK)";
    }

    @Override
    public CompletableFuture<Void> lockPair(String resource, String owner) {
        var lock = new Unary<TryLockResponse>();
        stub.tryLock(TryLockRequest.newBuilder().setStoreName(lockStore).setResourceId(resource)
                .setLockOwner(owner).setExpire(LOCK_SECONDS).build(), lock);
        return lock.future.thenCompose(taken -> {
            if (!taken.getSuccess()) {
                throw new IllegalStateException("TryLock of free resource " + resource + " refused");
            }
            var unlock = new Unary<UnlockResponse>();
            stub.unlock(UnlockRequest.newBuilder().setStoreName(lockStore).setResourceId(resource)
                    .setLockOwner(owner).build(), unlock);
            return unlock.future;
        }).thenAccept(released -> {
            if (released.getStatus() != UnlockResponse.Status.SUCCESS) {
                throw new IllegalStateException("Unlock of " + resource + ": " + released.getStatus());
            }
        });
    }

    @Override
    public CompletableFuture<Long> nextId(String key, boolean strong) {
        var response = new Unary<GetNextIdResponse>();
        stub.getNextId(GetNextIdRequest.newBuilder().setStoreName(sequencerStore).setKey(key)
                .setOptions(SequencerOptions.newBuilder().setIncrement(strong
                        ? SequencerOptions.AutoIncrement.STRONG : SequencerOptions.AutoIncrement.WEAK))
                .build(), response);
        return response.future.thenApply(GetNextIdResponse::getNextId);
    }

    @Override
    public boolean hasWeak() {
        return true;
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static final class Unary<R> implements StreamObserver<R> {
        final CompletableFuture<R> future = new CompletableFuture<>();

        @Override
        public void onNext(R response) {
            future.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            // delivered in onNext
        }
    }
}
