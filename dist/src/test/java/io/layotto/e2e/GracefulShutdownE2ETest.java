package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.HttpReply;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.SaveStateRequest;
import spec.proto.runtime.v1.RuntimeProto.SayHelloRequest;
import spec.proto.runtime.v1.RuntimeProto.StateItem;

/**
 * SIGTERM drains in-flight calls and exits 0 within the drain bound, releasing its ports so a fresh
 * sidecar can take them.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class GracefulShutdownE2ETest {

  @Test
  void sigtermExitsCleanlyAndTheSamePortsServeAgain() throws Exception {
    SidecarConfig config = SidecarConfig.defaults().withInMemoryStore("mem_store").withRedisStore("redis_store", 6379);
    SidecarPorts ports = SidecarPorts.free();
    String key = "e2e-shutdown-" + UUID.randomUUID();

    try (SidecarProcess first = SidecarProcess.start(Launcher.mainClass(), config, ports)) {
      saveAndRead(ports, "redis_store", key, "first");
      long start = System.nanoTime();
      int exit = first.terminate();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(exit).as("exit code after SIGTERM\n%s", first.logs()).isZero();
      assertThat(took).isLessThan(SidecarProcess.STOP_TIMEOUT);
      assertThat(HttpReply.get(ports.actuator(), "/actuator/health/liveness").status())
          .isEqualTo(HttpReply.UNREACHABLE_STATUS);
    }

    try (SidecarProcess second = SidecarProcess.start(Launcher.mainClass(), config, ports)) {
      assertThat(readString(ports, "redis_store", key)).isEqualTo("first");
      saveAndRead(ports, "mem_store", key, "second");
      second.stop();
    }
  }

  @Test
  void sigtermLetsAnInFlightCallFinishBeforeExiting() throws Exception {
    String key = "e2e-drain-" + UUID.randomUUID();
    try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
        SidecarProcess sidecar = SidecarProcess.start(SidecarConfig.defaults()
            .withStateStore("slow_redis", "redis", Map.of("redisHost", "127.0.0.1:" + redis.port(), "readTimeout", "8s")))) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try {
        RuntimeGrpc.RuntimeFutureStub runtime = RuntimeGrpc.newFutureStub(channel)
            .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
        runtime.sayHello(SayHelloRequest.newBuilder().setServiceName("helloworld").build()).get(20, TimeUnit.SECONDS);

        // A frozen Redis keeps the call in flight inside the sidecar while SIGTERM arrives.
        redis.pause();
        ListenableFuture<Empty> inFlight = runtime.saveState(SaveStateRequest.newBuilder().setStoreName("slow_redis")
            .addStates(StateItem.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("drained"))).build());
        Thread.sleep(1000);
        sidecar.sendSigterm();
        Thread.sleep(1500);
        assertThat(sidecar.isAlive()).as("the sidecar waits for the in-flight call").isTrue();
        redis.resume();

        inFlight.get(20, TimeUnit.SECONDS); // completes OK: drained, not cancelled
        assertThat(sidecar.awaitExit(SidecarProcess.STOP_TIMEOUT)).as("exit code\n%s", sidecar.logs()).isZero();
      } finally {
        GrpcClients.close(channel);
      }
    }
  }

  private static void saveAndRead(SidecarPorts ports, String store, String key, String value) throws Exception {
    try (DaprClient dapr = client(ports)) {
      dapr.saveState(store, key, value).block(Duration.ofSeconds(20));
      assertThat(dapr.getState(store, key, String.class).block(Duration.ofSeconds(20)).getValue()).isEqualTo(value);
    }
  }

  private static String readString(SidecarPorts ports, String store, String key) throws Exception {
    try (DaprClient dapr = client(ports)) {
      return dapr.getState(store, key, String.class).block(Duration.ofSeconds(20)).getValue();
    }
  }

  private static DaprClient client(SidecarPorts ports) {
    return new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(ports.grpc()))
        .build();
  }
}
