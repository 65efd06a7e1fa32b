package io.layotto.runtime.grpc;

import static io.layotto.runtime.grpc.StateApiContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.LoadedComponents;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** Layotto's SayHello, and UNIMPLEMENTED naming the building block for the rpcs not served yet. */
class LayottoHelloAndUnimplementedTest {

  private static LoadedComponents withHellos(Map<String, String> hellos) {
    return new LoadedComponents("app", Map.of(), Map.of(), hellos, List.of());
  }

  @Test
  void helloAppendsTheNameAndEchoesTheData() {
    try (InProcessApi api = new InProcessApi(withHellos(Map.of("quick_start_demo", "greeting")))) {
      var stub = RuntimeGrpc.newBlockingStub(api.channel);
      Any data = Any.newBuilder().setTypeUrl("type.example/x").setValue(ByteString.copyFromUtf8("payload")).build();

      var reply = stub.sayHello(RuntimeProto.SayHelloRequest.newBuilder().setServiceName("quick_start_demo")
          .setName("layotto").setData(data).build());
      assertThat(reply.getHello()).isEqualTo("greeting, layotto");
      assertThat(reply.getData()).isEqualTo(data);

      var anonymous = stub.sayHello(RuntimeProto.SayHelloRequest.newBuilder().setServiceName("quick_start_demo")
          .build());
      assertThat(anonymous.getHello()).isEqualTo("greeting");
      assertThat(anonymous.hasData()).isFalse();
    }
  }

  @Test
  void emptyOrUnknownServiceNameIsInvalidArgumentListingTheConfiguredHellos() {
    try (InProcessApi api = new InProcessApi(withHellos(Map.of("quick_start_demo", "greeting")))) {
      var stub = RuntimeGrpc.newBlockingStub(api.channel);
      assertFails(() -> stub.sayHello(RuntimeProto.SayHelloRequest.newBuilder().setName("x").build()),
          Status.Code.INVALID_ARGUMENT, "service_name is empty", "[quick_start_demo]");
      assertFails(() -> stub.sayHello(RuntimeProto.SayHelloRequest.newBuilder().setServiceName("nope").build()),
          Status.Code.INVALID_ARGUMENT, "'nope'", "service_name", "[quick_start_demo]");
    }
  }

  @Test
  void helloWithoutHellosConfiguredIsFailedPrecondition() {
    try (InProcessApi api = new InProcessApi(withHellos(Map.of()))) {
      assertFails(() -> RuntimeGrpc.newBlockingStub(api.channel).sayHello(RuntimeProto.SayHelloRequest.newBuilder()
          .setServiceName("quick_start_demo").build()), Status.Code.FAILED_PRECONDITION, "hellos");
    }
  }

  @Test
  void unaryRpcsOfOtherBuildingBlocksAreUnimplementedNamingTheBlock() {
    try (InProcessApi api = new InProcessApi(withHellos(Map.of()))) {
      var stub = RuntimeGrpc.newBlockingStub(api.channel);
      assertFails(() -> stub.invokeService(RuntimeProto.InvokeServiceRequest.getDefaultInstance()),
          Status.Code.UNIMPLEMENTED, "InvokeService");
      assertFails(() -> stub.invokeBinding(RuntimeProto.InvokeBindingRequest.getDefaultInstance()),
          Status.Code.UNIMPLEMENTED, "the bindings building block");
      assertFails(() -> stub.getSecret(RuntimeProto.GetSecretRequest.getDefaultInstance()),
          Status.Code.UNIMPLEMENTED, "the secrets building block");
      assertFails(() -> stub.listFile(RuntimeProto.ListFileRequest.getDefaultInstance()),
          Status.Code.UNIMPLEMENTED, "the file building block");
    }
  }

  @Test
  void streamingRpcsFailTheStreamWithUnimplemented() throws Exception {
    try (InProcessApi api = new InProcessApi(withHellos(Map.of()))) {
      var blocking = RuntimeGrpc.newBlockingStub(api.channel);
      var files = blocking.getFile(RuntimeProto.GetFileRequest.newBuilder().setStoreName("f").setName("n").build());
      assertFails(files::hasNext, Status.Code.UNIMPLEMENTED, "GetFile: the file building block");

      var async = RuntimeGrpc.newStub(api.channel);
      CompletableFuture<Throwable> put = new CompletableFuture<>();
      StreamObserver<RuntimeProto.PutFileRequest> upload = async.putFile(failureOf(put));
      upload.onNext(RuntimeProto.PutFileRequest.newBuilder().setStoreName("f").setName("n").build());
      upload.onCompleted();
      assertUnimplemented(put, "PutFile: the file building block");

      // the bidi SubscribeConfiguration is served: without config stores its first message fails the stream
      CompletableFuture<Throwable> config = new CompletableFuture<>();
      async.subscribeConfiguration(failureOf(config))
          .onNext(RuntimeProto.SubscribeConfigurationRequest.getDefaultInstance());
      assertThat(Status.fromThrowable(config.get(10, java.util.concurrent.TimeUnit.SECONDS)).getCode())
          .isEqualTo(Status.Code.FAILED_PRECONDITION);

      // the server keeps serving after the refused streams
      assertFails(() -> blocking.sayHello(RuntimeProto.SayHelloRequest.getDefaultInstance()),
          Status.Code.FAILED_PRECONDITION, "hellos");
    }
  }

  private static <T> StreamObserver<T> failureOf(CompletableFuture<Throwable> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.completeExceptionally(new AssertionError("no message expected, got " + value));
      }

      @Override
      public void onError(Throwable t) {
        result.complete(t);
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new AssertionError("must fail, not complete"));
      }
    };
  }

  private static void assertUnimplemented(CompletableFuture<Throwable> failure, String message) throws Exception {
    Status status = Status.fromThrowable(failure.get(5, TimeUnit.SECONDS));
    assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(status.getDescription()).contains(message);
  }
}
