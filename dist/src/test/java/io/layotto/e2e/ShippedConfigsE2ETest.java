package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprPreviewClient;
import io.dapr.client.domain.UnlockResponseStatus;
import io.dapr.client.domain.State;
import io.dapr.config.Properties;
import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.SayHelloRequest;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions.AutoIncrement;

/**
 * README's promise: {@code bin/layotto start -c configs/<file>} with each config the distribution
 * ships, and the same application code (stores {@code state_demo}, {@code lock_demo},
 * {@code sequencer_demo}) works on every backend. The only change to a shipped file is its two
 * listener ports (tests never bind the fixed 34904/34999, since other test JVMs run at the same time).
 */
@ExtendWith(SidecarLogsOnFailure.class)
class ShippedConfigsE2ETest {

  private static final String FIXED_GRPC_ADDRESS = "127.0.0.1:34904";
  private static final String FIXED_ACTUATOR_ADDRESS = "127.0.0.1:34999";

  record Greeting(String text, int count) {}

  @ParameterizedTest
  @ValueSource(strings = {"config_standalone.json", "config_redis.json", "config_postgresql.json", "config_mysql.json"})
  void theSameApplicationCodeRunsOnEveryShippedConfig(String fileName) throws Exception {
    Launcher.Distribution distribution = Launcher.assembledDistribution();
    String shipped = Files.readString(distribution.home().resolve("configs").resolve(fileName));
    assertThat(shipped).contains(FIXED_GRPC_ADDRESS, FIXED_ACTUATOR_ADDRESS);
    SidecarPorts ports = SidecarPorts.free();
    String onFreePorts = shipped
        .replace(FIXED_GRPC_ADDRESS, "127.0.0.1:" + ports.grpc())
        .replace(FIXED_ACTUATOR_ADDRESS, "127.0.0.1:" + ports.actuator());

    try (SidecarProcess sidecar = SidecarProcess.launch(distribution, onFreePorts, ports)) {
      sidecar.awaitReady();
      runApplication(ports);
      sidecar.stop();
    }
  }

  /** What a user's service does, unchanged whichever backend the sidecar was started with. */
  private static void runApplication(SidecarPorts ports) throws Exception {
    String key = "e2e-shipped-" + UUID.randomUUID();
    try (DaprClient dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(ports.grpc()))
        .build()) {
      dapr.saveState("state_demo", key, new Greeting("hello", 1)).block(Duration.ofSeconds(20));
      State<Greeting> read = dapr.getState("state_demo", key, Greeting.class).block(Duration.ofSeconds(20));
      assertThat(read.getValue()).isEqualTo(new Greeting("hello", 1));
      dapr.deleteState("state_demo", key).block(Duration.ofSeconds(20));
      assertThat(dapr.getState("state_demo", key, Greeting.class).block(Duration.ofSeconds(20)).getValue()).isNull();
    }
    try (DaprPreviewClient preview = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(ports.grpc()))
        .buildPreviewClient()) {
      assertThat(preview.tryLock("lock_demo", key, "owner", 30).block(Duration.ofSeconds(20))).isTrue();
      assertThat(preview.unlock("lock_demo", key, "owner").block(Duration.ofSeconds(20)))
          .isEqualTo(UnlockResponseStatus.SUCCESS);
    }
    ManagedChannel channel = GrpcClients.channel(ports.grpc());
    try {
      var runtime = RuntimeGrpc.newBlockingStub(channel)
          .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
      String hello = runtime
          .sayHello(SayHelloRequest.newBuilder().setServiceName("helloworld").setName("app").build())
          .getHello();
      assertThat(hello).isEqualTo("greeting, app");
      GetNextIdRequest nextId = GetNextIdRequest.newBuilder().setStoreName("sequencer_demo").setKey(key)
          .setOptions(SequencerOptions.newBuilder().setIncrement(AutoIncrement.STRONG)).build();
      long first = runtime.getNextId(nextId).getNextId();
      assertThat(first).isPositive();
      assertThat(runtime.getNextId(nextId).getNextId()).isGreaterThan(first);
    } finally {
      GrpcClients.close(channel);
    }
  }

  /** Every shipped config is covered above; a new one must be added to the list. */
  @org.junit.jupiter.api.Test
  void everyShippedConfigIsCovered() throws IOException {
    Path configs = Launcher.assembledDistribution().home().resolve("configs");
    try (var files = Files.list(configs)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .isEqualTo(List.of("config_mysql.json", "config_postgresql.json", "config_redis.json", "config_standalone.json"));
    }
  }
}
