package io.layotto.runtime.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.layotto.components.inmemory.InMemorySequencerFactory;
import io.layotto.runtime.component.ComponentFactories;
import io.layotto.runtime.component.ComponentLoader;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.grpc.ApiServices;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.spi.BuildingBlock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto.GetNextIdRequest;
import spec.proto.runtime.v1.RuntimeProto.SequencerOptions.AutoIncrement;

/** Layotto's GetNextId through the gRPC service, over sequencers loaded from a config text. */
class GetNextIdTest {

  private final RecordingSequencerFactory recording = new RecordingSequencerFactory();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private ComponentFactories factories() {
    return ComponentFactories.of(List.of(), List.of())
        .withSequencers(List.of(new InMemorySequencerFactory(), recording));
  }

  private RuntimeConfig config(String appId, String sequencers) {
    return ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "%s"}, "sequencer": %s}""".formatted(appId, sequencers)));
  }

  /** A blocking stub on the API over the sequencers of {@code sequencers} (the JSON of the section). */
  private RuntimeGrpc.RuntimeBlockingStub api(String appId, String sequencers) throws IOException {
    ComponentLoader loader = new ComponentLoader(factories());
    LoadedComponents components = loader.start(loader.plan(config(appId, sequencers)));
    open.add(components);
    String name = "seq-" + UUID.randomUUID();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Server server = InProcessServerBuilder.forName(name).executor(executor)
        .addServices(ApiServices.definitions(components)).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    open.add(executor::close);
    open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return RuntimeGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static GetNextIdRequest request(String store, String key, AutoIncrement increment) {
    return GetNextIdRequest.newBuilder().setStoreName(store).setKey(key)
        .setOptions(spec.proto.runtime.v1.RuntimeProto.SequencerOptions.newBuilder().setIncrement(increment)).build();
  }

  private static long next(RuntimeGrpc.RuntimeBlockingStub api, String store, String key, AutoIncrement increment) {
    return api.getNextId(request(store, key, increment)).getNextId();
  }

  private static StatusRuntimeException fails(Runnable call, Status.Code code) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail with " + code).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().getDescription()).isEqualTo(code);
    return e;
  }

  @Test
  void strongIdsCountFromOneAndKeysAreIndependent() throws IOException {
    var api = api("app1", "{\"seq\": {\"type\": \"in-memory\"}}");

    assertThat(List.of(next(api, "seq", "orders", AutoIncrement.STRONG), next(api, "seq", "orders", AutoIncrement.STRONG),
        next(api, "seq", "users", AutoIncrement.STRONG))).containsExactly(1L, 2L, 1L);
  }

  @Test
  void keysAreStoredWithLayottosPrefixes() throws IOException {
    var api = api("app1", """
        {"by_app": {"type": "recording"},
         "by_name": {"type": "recording", "metadata": {"keyPrefix": "name"}},
         "plain": {"type": "recording", "metadata": {"keyPrefix": "none"}},
         "literal": {"type": "recording", "metadata": {"keyPrefix": "Tenant"}}}""");
    for (String store : List.of("by_app", "by_name", "plain", "literal")) {
      next(api, store, "orders", AutoIncrement.STRONG);
    }
    assertThat(recording.calls).contains("nextId sequencer|||app1||orders", "nextId sequencer|||by_name||orders",
        "nextId sequencer|||orders", "nextId sequencer|||tenant||orders");
  }

  @Test
  void withoutAppIdTheDefaultPrefixIsJustTheBlockName() throws IOException {
    var api = api("", "{\"seq\": {\"type\": \"recording\"}}");
    next(api, "seq", "orders", AutoIncrement.STRONG);
    assertThat(recording.calls).contains("nextId sequencer|||orders");
  }

  @Test
  void weakIdsComeFromCachedSegmentsAndStillIncrease() throws IOException {
    var api = api("app1", "{\"seq\": {\"type\": \"recording\", \"metadata\": {\"segmentSize\": \"10\"}}}");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      // a request without options is WEAK, as in Layotto's code
      ids.add(api.getNextId(GetNextIdRequest.newBuilder().setStoreName("seq").setKey("orders").build()).getNextId());
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(recording.count("nextId")).as("WEAK never asks the component id by id").isZero();
    assertThat(recording.count("reserve")).as("segments of 10 (and one prefetched)").isBetween(4L, 5L);
    assertThat(recording.calls).contains("reserve sequencer|||app1||orders 10");
    long strong = next(api, "seq", "orders", AutoIncrement.STRONG);
    assertThat(strong).as("STRONG goes past every reserved segment").isGreaterThan(ids.getLast());
  }

  @Test
  void weakKeepsServingItsSegmentDuringAnOutageAndRecoversAfterIt() throws IOException {
    var api = api("app1", "{\"seq\": {\"type\": \"recording\", \"metadata\": {\"segmentSize\": \"100\"}}}");
    List<Long> ids = new ArrayList<>();
    ids.add(next(api, "seq", "k", AutoIncrement.WEAK));
    recording.down = true;

    for (int i = 1; i < 100; i++) {
      ids.add(next(api, "seq", "k", AutoIncrement.WEAK));
    }
    var e = fails(() -> next(api, "seq", "k", AutoIncrement.WEAK), Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("recording backend is down").contains("'k'");
    fails(() -> next(api, "seq", "k", AutoIncrement.STRONG), Status.Code.UNAVAILABLE);

    recording.down = false;
    ids.add(next(api, "seq", "k", AutoIncrement.WEAK));
    assertThat(ids).as("the cached segment, then a new one").isSorted().doesNotHaveDuplicates().hasSize(101);
    assertThat(ids.getLast()).isGreaterThan(100L);
  }

  @Test
  void segmentSizeZeroServesWeakLikeStrong() throws IOException {
    var api = api("app1", "{\"seq\": {\"type\": \"recording\", \"metadata\": {\"segmentSize\": \"0\"}}}");
    assertThat(next(api, "seq", "k", AutoIncrement.WEAK)).isEqualTo(1L);
    assertThat(next(api, "seq", "k", AutoIncrement.WEAK)).isEqualTo(2L);
    assertThat(recording.count("reserve")).isZero();
  }

  @Test
  void concurrentWeakCallersGetUniqueIds() throws Exception {
    var api = api("app1", "{\"seq\": {\"type\": \"in-memory\", \"metadata\": {\"segmentSize\": \"50\"}}}");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        futures.add(pool.submit(() -> {
          List<Long> ids = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            ids.add(next(api, "seq", "orders", AutoIncrement.WEAK));
          }
          return ids;
        }));
      }
      Set<Long> all = new HashSet<>();
      for (Future<List<Long>> f : futures) {
        List<Long> ids = f.get(60, TimeUnit.SECONDS);
        assertThat(ids).isSorted();
        all.addAll(ids);
      }
      assertThat(all).hasSize(1600);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void biggerThanAppliesToTheKeyClientsSend() throws IOException {
    var api = api("app1", """
        {"seq": {"type": "recording", "biggerThan": {"orders": 1000, "sequencer|||app1||users": "50"}}}""");

    assertThat(recording.calls.getFirst()).isEqualTo(
        "init {sequencer|||app1||orders=1000, sequencer|||app1||users=50}");
    assertThat(next(api, "seq", "orders", AutoIncrement.STRONG)).isEqualTo(1001L);
    assertThat(next(api, "seq", "users", AutoIncrement.WEAK)).isGreaterThan(50L);
  }

  @Test
  void int64OverflowIsResourceExhaustedForBothModes() throws IOException {
    var api = api("app1", """
        {"seq": {"type": "in-memory", "biggerThan": {"strong": 9223372036854775806, "weak": 9223372036854775800}}}""");

    assertThat(next(api, "seq", "strong", AutoIncrement.STRONG)).isEqualTo(Long.MAX_VALUE);
    var e = fails(() -> next(api, "seq", "strong", AutoIncrement.STRONG), Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).contains("strong").contains("seq").contains("int64");
    for (int i = 6; i >= 0; i--) {
      assertThat(next(api, "seq", "weak", AutoIncrement.WEAK)).as("the last ids are still handed out")
          .isEqualTo(Long.MAX_VALUE - i);
    }
    fails(() -> next(api, "seq", "weak", AutoIncrement.WEAK), Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void badRequestsGetPreciseStatuses() throws IOException {
    var api = api("app1", "{\"seq\": {\"type\": \"in-memory\"}}");

    assertThat(fails(() -> next(api, "seq", "", AutoIncrement.STRONG), Status.Code.INVALID_ARGUMENT)
        .getStatus().getDescription()).contains("key is empty");
    assertThat(fails(() -> api.getNextId(GetNextIdRequest.newBuilder().setStoreName("seq").setKey("k")
            .setOptions(spec.proto.runtime.v1.RuntimeProto.SequencerOptions.newBuilder().setIncrementValue(7)).build()),
        Status.Code.INVALID_ARGUMENT).getStatus().getDescription()).contains("options.increment is 7");
    assertThat(fails(() -> next(api, "seq", "a||b", AutoIncrement.STRONG), Status.Code.INVALID_ARGUMENT)
        .getStatus().getDescription()).contains("'a||b'").contains("||");
    assertThat(fails(() -> next(api, "seq", "k".repeat(1025), AutoIncrement.STRONG), Status.Code.INVALID_ARGUMENT)
        .getStatus().getDescription()).contains("1025 characters");
    assertThat(fails(() -> next(api, "", "k", AutoIncrement.STRONG), Status.Code.INVALID_ARGUMENT)
        .getStatus().getDescription()).contains("store_name is empty").contains("[seq]");
    assertThat(fails(() -> next(api, "nope", "k", AutoIncrement.STRONG), Status.Code.INVALID_ARGUMENT)
        .getStatus().getDescription()).contains("'nope'").contains("store_name").contains("[seq]");
  }

  @Test
  void withoutSequencersGetNextIdIsFailedPrecondition() throws IOException {
    var api = api("app1", "{}");
    assertThat(fails(() -> next(api, "seq", "k", AutoIncrement.STRONG), Status.Code.FAILED_PRECONDITION)
        .getStatus().getDescription()).contains("grpc_config.sequencer");
  }

  @Test
  void sequencersAreListedAsComponents() {
    ComponentLoader loader = new ComponentLoader(factories());
    var plan = loader.plan(config("app1", "{\"seq\": {\"type\": \"in-memory\", \"metadata\": {\"segmentSize\": \"5\"}}}"));
    assertThat(plan.infos()).anySatisfy(info -> {
      assertThat(info.name()).isEqualTo("seq");
      assertThat(info.block()).isEqualTo(BuildingBlock.SEQUENCER);
      assertThat(info.capabilities()).contains("segments", "per_key_counter");
    });
    assertThat(plan.warnings()).as("segmentSize is the runtime's").isEmpty();
  }

  @Test
  void badSequencerConfigIsReportedWithPaths() {
    ComponentLoader loader = new ComponentLoader(factories());
    assertThatThrownBy(() -> loader.plan(config("app1", """
        {"a": {"type": "redix"},
         "b": {"type": "in-memory", "metadata": {"segmentSize": "-1", "keyPrefix": "x||y"}},
         "c": {"type": "in-memory", "biggerThan": {"x||y": 5}}}""")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sequencer.a.type: unknown sequencer type 'redix'; available: in-memory, recording")
        .hasMessageContaining("sequencer.b.metadata: 'segmentSize' is '-1'")
        .hasMessageContaining("sequencer.b.metadata.keyPrefix")
        .hasMessageContaining("sequencer.c.biggerThan['x||y']");
    assertThatThrownBy(() -> config("app1", """
        {"d": {"type": "in-memory", "biggerThan": {"k": "lots", "m": 1.5, "n": 99999999999999999999}}}"""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sequencer.d.biggerThan.k: is the string \"lots\", expected an integer")
        .hasMessageContaining("sequencer.d.biggerThan.m")
        .hasMessageContaining("sequencer.d.biggerThan.n");
  }
}
