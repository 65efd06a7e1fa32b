package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.HttpReply;
import io.layotto.e2e.harness.RedisServerProcess;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions.AutoIncrement;

/**
 * A private Redis killed under a sidecar's redis sequencer: GetNextId fails with UNAVAILABLE naming
 * the server (WEAK too, once its cached range is used up), readiness reports the sequencer DOWN, and
 * both recover by themselves when Redis is back.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class SequencerRedisOutageE2ETest {

  private static long next(ManagedChannel channel, AutoIncrement increment) {
    return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .getNextId(GetNextIdRequest.newBuilder().setStoreName("seq").setKey("orders")
            .setOptions(SequencerOptions.newBuilder().setIncrement(increment)).build()).getNextId();
  }

  @Test
  void getNextIdIsUnavailableWhileRedisIsDownAndRecovers() {
    try (RedisServerProcess redis = RedisServerProcess.startOnFreePort();
        SidecarProcess sidecar = SidecarProcess.start(SidecarConfig.defaults().withSequencer("seq", "redis",
            Map.of("redisHost", "127.0.0.1:" + redis.port(), "segmentSize", "5"), Map.of()))) {
      ManagedChannel channel = GrpcClients.channel(sidecar.grpcPort());
      try {
        assertThat(next(channel, AutoIncrement.STRONG)).isEqualTo(1L);
        long weak = next(channel, AutoIncrement.WEAK);
        assertThat(weak).isGreaterThan(1L);

        redis.kill();
        assertFailsWith(Status.Code.UNAVAILABLE, () -> next(channel, AutoIncrement.STRONG),
            "127.0.0.1:" + redis.port(), "seq");
        await("WEAK runs dry once its range is used up").atMost(Duration.ofSeconds(30)).until(() -> {
          try {
            next(channel, AutoIncrement.WEAK);
            return false;
          } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
          }
        });
        await("readiness DOWN").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          HttpReply reply = sidecar.readiness();
          assertThat(reply.status()).as("%s", reply).isEqualTo(503);
          assertThat(reply.body()).contains("seq");
        });

        redis.start();
        await("GetNextId works again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .ignoreExceptions().until(() -> next(channel, AutoIncrement.STRONG) >= 1L);
        await("readiness UP").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
            .until(() -> sidecar.readiness().status() == 200);
      } finally {
        GrpcClients.close(channel);
      }
      sidecar.stop();
    }
  }
}
