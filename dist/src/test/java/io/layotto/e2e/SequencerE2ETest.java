package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions.AutoIncrement;

/**
 * Layotto's GetNextId with a grpc-java client on the project's protos, through real sidecars over
 * the in-memory sequencer and the shared Redis (an app id of its own, so the stored keys
 * {@code sequencer|||<appId>||<key>} are this run's): strict increase under concurrency, WEAK from
 * cached segments, {@code biggerThan} from the config file, two sidecars sharing Redis, a restart.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class SequencerE2ETest {

  private static final String IN_MEMORY = "mem_seq";
  private static final String REDIS = "redis_seq";
  private static final String APP_ID = "e2e-seq-" + UUID.randomUUID().toString().substring(0, 8);
  private static final long BIGGER_THAN = 5_000_000L;

  private static SidecarProcess sidecar;
  private static ManagedChannel channel;

  static SidecarConfig config() {
    return SidecarConfig.defaults().withAppId(APP_ID)
        .withSequencer(IN_MEMORY, "in-memory", Map.of(), Map.of())
        .withSequencer(REDIS, "redis", Map.of("redisHost", "127.0.0.1:6379", "segmentSize", "100"),
            Map.of("configured", BIGGER_THAN));
  }

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(config());
    channel = GrpcClients.channel(sidecar.grpcPort());
  }

  @AfterAll
  static void stopSidecarAndDeleteKeys() throws Exception {
    try {
      if (channel != null) {
        GrpcClients.close(channel);
      }
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
      deleteRedisKeys();
    }
  }

  /** Removes this run's counters from the shared Redis (only keys of this run's app id). */
  private static void deleteRedisKeys() throws IOException, InterruptedException {
    Process scan = new ProcessBuilder("redis-cli", "-p", "6379", "--scan", "--pattern",
        "sequencer|||" + APP_ID + "||*").redirectErrorStream(true).start();
    List<String> keys = new String(scan.getInputStream().readAllBytes()).lines().filter(k -> !k.isBlank()).toList();
    scan.waitFor(10, TimeUnit.SECONDS);
    for (String key : keys) {
      new ProcessBuilder("redis-cli", "-p", "6379", "DEL", key).redirectErrorStream(true).start().waitFor(10,
          TimeUnit.SECONDS);
    }
  }

  private static RuntimeGrpc.RuntimeBlockingStub runtime(ManagedChannel on) {
    return RuntimeGrpc.newBlockingStub(on).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static long next(ManagedChannel on, String store, String key, AutoIncrement increment) {
    return runtime(on).getNextId(GetNextIdRequest.newBuilder().setStoreName(store).setKey(key)
        .setOptions(SequencerOptions.newBuilder().setIncrement(increment)).build()).getNextId();
  }

  private static String key(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Each caller's ids, in the order it got them; all callers start together. */
  private static List<List<Long>> concurrently(int callers, int calls, java.util.function.IntFunction<Long> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int caller = c;
        futures.add(pool.submit(() -> {
          start.await();
          List<Long> ids = new ArrayList<>();
          for (int i = 0; i < calls; i++) {
            ids.add(call.apply(caller));
          }
          return ids;
        }));
      }
      start.countDown();
      List<List<Long>> result = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        result.add(f.get(120, TimeUnit.SECONDS));
      }
      return result;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Set<Long> assertUniqueAndIncreasingPerCaller(List<List<Long>> perCaller) {
    Set<Long> all = new HashSet<>();
    for (List<Long> ids : perCaller) {
      assertThat(ids).as("ids one caller got in turn").isSorted().doesNotHaveDuplicates();
      all.addAll(ids);
    }
    assertThat(all).as("no id handed out twice").hasSize(perCaller.stream().mapToInt(List::size).sum());
    return all;
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void strongIdsStrictlyIncreaseUnderThirtyTwoConcurrentCallers(String store) throws Exception {
    String key = key("strong");
    Set<Long> all = assertUniqueAndIncreasingPerCaller(
        concurrently(32, 20, caller -> next(channel, store, key, AutoIncrement.STRONG)));

    assertThat(all).as("STRONG counters have no gaps").containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.rangeClosed(1, 640).boxed().toList());
    assertThat(next(channel, store, key, AutoIncrement.STRONG)).isEqualTo(641L);
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void weakIdsAreUniqueAndIncreasePerCaller(String store) throws Exception {
    String key = key("weak");
    Set<Long> all = assertUniqueAndIncreasingPerCaller(
        concurrently(8, 60, caller -> next(channel, store, key, AutoIncrement.WEAK)));
    long max = all.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(next(channel, store, key, AutoIncrement.STRONG)).isGreaterThan(max);
  }

  @Test
  void biggerThanFromTheConfigFileIsHonoured() {
    assertThat(next(channel, REDIS, "configured", AutoIncrement.STRONG)).isGreaterThan(BIGGER_THAN);
    assertThat(next(channel, REDIS, "configured", AutoIncrement.WEAK)).isGreaterThan(BIGGER_THAN);
  }

  @Test
  void twoSidecarsSharingRedisNeverReturnTheSameIdAndARestartStillIncreases() throws Exception {
    String key = key("shared");
    Set<Long> before;
    try (SidecarProcess second = SidecarProcess.start(config())) {
      ManagedChannel secondChannel = GrpcClients.channel(second.grpcPort());
      try {
        before = assertUniqueAndIncreasingPerCaller(concurrently(16, 30, caller -> next(
            caller % 2 == 0 ? channel : secondChannel, REDIS, key,
            caller % 4 < 2 ? AutoIncrement.STRONG : AutoIncrement.WEAK)));
      } finally {
        GrpcClients.close(secondChannel);
      }
      second.stop();
    }
    long max = before.stream().mapToLong(Long::longValue).max().orElseThrow();

    try (SidecarProcess restarted = SidecarProcess.start(config())) {
      ManagedChannel restartedChannel = GrpcClients.channel(restarted.grpcPort());
      try {
        long weak = next(restartedChannel, REDIS, key, AutoIncrement.WEAK);
        long strong = next(restartedChannel, REDIS, key, AutoIncrement.STRONG);
        assertThat(weak).as("WEAK after a restart").isGreaterThan(max);
        assertThat(strong).as("STRONG after a restart").isGreaterThan(weak);
      } finally {
        GrpcClients.close(restartedChannel);
      }
      restarted.stop();
    }
  }

  @Test
  void badRequestsGetPreciseStatuses() {
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> next(channel, REDIS, "", AutoIncrement.STRONG),
        "key is empty");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> next(channel, "nope", "k", AutoIncrement.STRONG),
        "'nope'", "store_name", REDIS);
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> next(channel, "", "k", AutoIncrement.STRONG),
        "store_name is empty");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> next(channel, REDIS, "a||b", AutoIncrement.STRONG), "'a||b'");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> runtime(channel).getNextId(GetNextIdRequest.newBuilder()
        .setStoreName(REDIS).setKey("k").setOptions(SequencerOptions.newBuilder().setIncrementValue(9)).build()),
        "options.increment is 9");
  }

  @Test
  void actuatorListsTheSequencers() {
    String info = sidecar.info().body();
    assertThat(info).contains(IN_MEMORY).contains(REDIS).contains("sequencer");
  }
}
