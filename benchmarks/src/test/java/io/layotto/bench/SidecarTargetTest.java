package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetStateRequest;
import spec.proto.runtime.v1.RuntimeProto.GetStateResponse;
import spec.proto.runtime.v1.RuntimeProto.SaveStateRequest;
import spec.proto.runtime.v1.RuntimeProto.StateItem;

/** The benchmark's gRPC client against a trivial in-JVM Runtime service (a map), over real TCP. */
class SidecarTargetTest {

    private final Map<String, ByteString> stored = new ConcurrentHashMap<>();
    private Server server;
    private SidecarTarget target;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new MapRuntime())
                .build()
                .start();
        target = SidecarTarget.connect("127.0.0.1", server.getPort(), "bench_state");
    }

    @AfterEach
    void stop() throws Exception {
        target.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void savesOneItemAndReadsItBack() throws Exception {
        byte[] value = {1, 2, 3, 0, (byte) 0xff};

        target.save("k1", value).get(5, TimeUnit.SECONDS);

        assertThat(stored).containsOnlyKeys("bench_state/k1");
        assertThat(target.get("k1").get(5, TimeUnit.SECONDS)).containsExactly(value);
        assertThat(target.get("missing").get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void callErrorsFailTheFuture() {
        SidecarTarget wrongStore = SidecarTarget.connect("127.0.0.1", server.getPort(), "nope");
        try {
            assertThatThrownBy(() -> wrongStore.get("k").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(StatusRuntimeException.class)
                    .hasMessageContaining("INVALID_ARGUMENT");
        } finally {
            wrongStore.close();
        }
    }

    private final class MapRuntime extends RuntimeGrpc.RuntimeImplBase {
        @Override
        public void saveState(SaveStateRequest request, StreamObserver<Empty> response) {
            for (StateItem item : request.getStatesList()) {
                stored.put(request.getStoreName() + "/" + item.getKey(), item.getValue());
            }
            response.onNext(Empty.getDefaultInstance());
            response.onCompleted();
        }

        @Override
        public void getState(GetStateRequest request, StreamObserver<GetStateResponse> response) {
            if (!request.getStoreName().equals("bench_state")) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("unknown store").asRuntimeException());
                return;
            }
            ByteString data = stored.getOrDefault(request.getStoreName() + "/" + request.getKey(), ByteString.EMPTY);
            response.onNext(GetStateResponse.newBuilder().setData(data).build());
            response.onCompleted();
        }
    }
}
