package io.layotto.runtime.grpc;

import static io.layotto.runtime.grpc.StateApiContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dapr.v1.DaprConfigurationProtos;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprStateProtos;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exceptions escaping handlers: INTERNAL without details instead of grpc-java's UNKNOWN. */
class ErrorGuardTest {

  /** Handlers that throw instead of completing their observer. */
  private static final class ThrowingService extends DaprGrpc.DaprImplBase {
    @Override
    public void getState(DaprStateProtos.GetStateRequest request,
        StreamObserver<DaprStateProtos.GetStateResponse> observer) {
      throw new IllegalStateException("secret detail of a bug");
    }

    @Override
    public void getBulkState(DaprStateProtos.GetBulkStateRequest request,
        StreamObserver<DaprStateProtos.GetBulkStateResponse> observer) {
      throw Status.NOT_FOUND.withDescription("kept as thrown").asRuntimeException();
    }

    @Override
    public void subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest request,
        StreamObserver<DaprConfigurationProtos.SubscribeConfigurationResponse> observer) {
      observer.onNext(DaprConfigurationProtos.SubscribeConfigurationResponse.newBuilder().setId("first").build());
      throw new IllegalArgumentException("secret detail mid-stream");
    }
  }

  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = "guard-" + UUID.randomUUID();
    server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(new ThrowingService(), new ErrorGuard())).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void unexpectedExceptionIsInternalWithAGenericMessage() {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> DaprGrpc.newBlockingStub(channel).getState(DaprStateProtos.GetStateRequest.getDefaultInstance()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("dapr.proto.runtime.v1.Dapr/GetState", "internal error")
        .doesNotContain("secret", "IllegalStateException", "\tat ");
  }

  @Test
  void thrownStatusKeepsItsCodeAndDescription() {
    assertFails(() -> DaprGrpc.newBlockingStub(channel)
        .getBulkState(DaprStateProtos.GetBulkStateRequest.getDefaultInstance()), Status.Code.NOT_FOUND,
        "kept as thrown");
  }

  @Test
  void exceptionInAStreamingHandlerFailsTheStreamWithInternal() {
    Iterator<DaprConfigurationProtos.SubscribeConfigurationResponse> stream = DaprGrpc.newBlockingStub(channel)
        .subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest.getDefaultInstance());
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> {
      while (stream.hasNext()) {
        stream.next();
      }
    });
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).doesNotContain("secret");
  }
}
