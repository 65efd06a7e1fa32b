package io.layotto.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetStateRequest;
import spec.proto.runtime.v1.RuntimeProto.GetStateResponse;
import spec.proto.runtime.v1.RuntimeProto.SaveStateRequest;
import spec.proto.runtime.v1.RuntimeProto.StateItem;

/**
 * The sidecar through Layotto's gRPC API: {@code spec.proto.runtime.v1.Runtime/SaveState} with one
 * state item and {@code GetState}, on the async stub over one plaintext netty-shaded channel.
 * Responses are handled on the transport thread (direct executor), as Lettuce does for the baseline.
 */
final class SidecarTarget implements StateTarget {

    private final ManagedChannel channel;
    private final RuntimeGrpc.RuntimeStub stub;
    private final String storeName;

    private SidecarTarget(ManagedChannel channel, String storeName) {
        this.channel = channel;
        this.stub = RuntimeGrpc.newStub(channel);
        this.storeName = storeName;
    }

    static SidecarTarget connect(String host, int port, String storeName) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .directExecutor()
                .build();
        return new SidecarTarget(channel, storeName);
    }

    @Override
    public String name() {
        return "sidecar";
    }

    @Override
    public String describeCalls() {
        return "Layotto gRPC (spec.proto.runtime.v1.Runtime), async stub, one channel: set = SaveState of one"
                + " 1 KB StateItem (no etag), get = GetState; store `" + storeName + "` of type redis";
    }

    @Override
    public CompletableFuture<Void> save(String key, byte[] value) {
        var request = SaveStateRequest.newBuilder()
                .setStoreName(storeName)
                .addStates(StateItem.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)))
                .build();
        var response = new FutureObserver<Empty, Void>(empty -> null);
        stub.saveState(request, response);
        return response.future;
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        var request = GetStateRequest.newBuilder().setStoreName(storeName).setKey(key).build();
        var response = new FutureObserver<GetStateResponse, byte[]>(r -> r.getData().toByteArray());
        stub.getState(request, response);
        return response.future;
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

    /** Completes a future with the (single) response of a unary call. */
    private static final class FutureObserver<R, T> implements StreamObserver<R> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        private final Function<R, T> convert;

        FutureObserver(Function<R, T> convert) {
            this.convert = convert;
        }

        @Override
        public void onNext(R response) {
            future.complete(convert.apply(response));
        }

        @Override
        public void onError(Throwable error) {
            future.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            // the value was delivered in onNext
        }
    }
}
