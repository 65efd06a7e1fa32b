package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.Launcher;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarPorts;
import io.layotto.e2e.harness.SidecarProcess;
import io.layotto.e2e.harness.SidecarProcess.CommandResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.SayHelloRequest;

/**
 * README's promise: the assembled distribution's {@code bin/layotto} is what users run. These tests
 * run in failsafe, i.e. in {@code verify} after {@code package} assembled {@code target/layotto}, so
 * they execute the real script with its real {@code lib/} classpath (not this JVM's test classpath);
 * a missing or broken launcher fails the build.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class DistributionLauncherE2ETest {

  @Test
  void versionPrintsTheProjectVersion() {
    CommandResult result = SidecarProcess.run(Launcher.assembledDistribution(), List.of("version"));

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.stdout()).as("%s", result).contains(System.getProperty("layotto.expectedVersion", "0.1.0-SNAPSHOT"));
    assertThat(result.stderr()).as("%s", result).doesNotContain("Exception");
  }

  @Test
  void helpListsTheCommands() {
    CommandResult result = SidecarProcess.run(Launcher.assembledDistribution(), List.of("--help"));

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.stdout()).as("%s", result).contains("start").contains("version");
  }

  @Test
  void unknownCommandFailsWithUsage() {
    CommandResult result = SidecarProcess.run(Launcher.assembledDistribution(), List.of("no-such-command"));

    assertThat(result.exitCode()).as("%s", result).isNotZero();
    assertThat(result.stderr()).as("%s", result).contains("no-such-command").doesNotContain("Exception");
  }

  @Test
  void nettysLeakDetectorIsOffUnlessJavaOptsTurnItOn() {
    CommandResult byDefault = SidecarProcess.run(Launcher.assembledDistribution(), List.of("version"),
        Map.of("JAVA_OPTS", "-XshowSettings:properties"));
    CommandResult overridden = SidecarProcess.run(Launcher.assembledDistribution(), List.of("version"),
        Map.of("JAVA_OPTS", "-XshowSettings:properties -Dio.netty.leakDetection.level=paranoid"));

    assertThat(byDefault.exitCode()).as("%s", byDefault).isZero();
    assertThat(byDefault.stdout() + byDefault.stderr()).as("%s", byDefault)
        .contains("io.netty.leakDetection.level = disabled");
    assertThat(overridden.exitCode()).as("%s", overridden).isZero();
    assertThat(overridden.stdout() + overridden.stderr()).as("%s", overridden)
        .contains("io.netty.leakDetection.level = paranoid")
        .doesNotContain("io.netty.leakDetection.level = disabled");
  }

  @Test
  void startServesTheApiAndStopsCleanlyOnSigterm() {
    SidecarConfig config = SidecarConfig.defaults().withInMemoryStore("mem_store").withRedisStore("redis_store", 6379);
    try (SidecarProcess sidecar = SidecarProcess.start(Launcher.assembledDistribution(), config, SidecarPorts.free())) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try {
        String hello = RuntimeGrpc.newBlockingStub(channel)
            .withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .sayHello(SayHelloRequest.newBuilder().setServiceName("helloworld").setName("dist").build())
            .getHello();
        assertThat(hello).isEqualTo("greeting, dist");
      } finally {
        GrpcClients.close(channel);
      }
      // the script must hand SIGTERM to the JVM (exec), so the sidecar drains and exits 0
      sidecar.stop();
    }
  }
}
