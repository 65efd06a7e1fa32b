package io.layotto.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.layotto.runtime.component.ComponentFactories;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.ListenerAddress;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.testing.FakeStateStore;
import io.layotto.runtime.testing.Http;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.spi.Health;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole sidecar in-process on free ports: actuator answers, readiness changes, graceful drain. */
class SidecarTest {

  private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<String, String> SLOW = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Slow/Call")
      .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

  private final String probe = "sidecar-" + UUID.randomUUID();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private Sidecar sidecar;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (channel != null) {
      channel.shutdownNow();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    FakeStateStore.HEALTH.remove(probe);
  }

  private BiFunction<LoadedComponents, Executor, List<ServerServiceDefinition>> slowService() {
    return (components, blocking) -> List.of(ServerServiceDefinition.builder("test.Slow")
        .addMethod(SLOW, ServerCalls.asyncUnaryCall((request, response) -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          response.onNext("done " + request);
          response.onCompleted();
        })).build());
  }

  private Sidecar start(RuntimeConfig config) {
    sidecar = Sidecar.start(config, ComponentFactories.discover(getClass().getClassLoader()), slowService());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
    return sidecar;
  }

  private RuntimeConfig fakeConfig() {
    return ConfigLoader.parse("test.json", TestConfigs.withFakeStore("state_demo", probe));
  }

  private int actuator() {
    return sidecar.actuatorPort().orElseThrow();
  }

  @Test
  void bindsFreePortsAndServesTheConfiguredServices() {
    start(fakeConfig());

    assertThat(sidecar.grpcPort()).isPositive();
    assertThat(actuator()).isPositive().isNotEqualTo(sidecar.grpcPort());
    release.countDown();
    assertThat(ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT, "x")).isEqualTo("done x");
    assertThat(sidecar.components().stateStoreNames()).containsExactly("state_demo");
  }

  @Test
  void actuatorReportsLivenessReadinessAndInfo() {
    start(fakeConfig());

    Http.Response live = Http.get(actuator(), "/actuator/health/liveness");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.json().at("/status").asText()).isEqualTo("UP");
    assertThat(live.json().at("/components/runtime_startup/status").asText()).isEqualTo("UP");

    Http.Response ready = Http.get(actuator(), "/actuator/health/readiness");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().at("/status").asText()).isEqualTo("UP");
    assertThat(ready.json().at("/components/state_demo/status").asText()).isEqualTo("UP");
    assertThat(ready.json().at("/components/state_demo/details/type").asText()).isEqualTo("test-fake");

    Http.Response info = Http.get(actuator(), "/actuator/info");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().at("/app/name").asText()).isEqualTo("Layotto");
    assertThat(info.json().at("/app/version").asText()).isEqualTo(Version.current()).isNotEqualTo("unknown");
    assertThat(info.json().at("/app/app_id").asText()).isEqualTo("app1");
    assertThat(info.json().at("/components/0/name").asText()).isEqualTo("state_demo");
    assertThat(info.json().at("/components/0/kind").asText()).isEqualTo("state");
    assertThat(info.json().at("/components/0/type").asText()).isEqualTo("test-fake");
    assertThat(info.json().at("/components/0/capabilities").toString()).isEqualTo("[\"etag\",\"ttl\"]");

    Http.Response missing = Http.get(actuator(), "/actuator/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().at("/error").asText()).contains("/actuator/nope");
  }

  @Test
  void readinessFollowsComponentHealthDownAndBackUp() {
    start(fakeConfig());
    assertThat(Http.get(actuator(), "/actuator/health/readiness").status()).isEqualTo(200);

    FakeStateStore.HEALTH.put(probe, Health.down("backend gone"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Http.Response ready = Http.get(actuator(), "/actuator/health/readiness");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().at("/status").asText()).isEqualTo("DOWN");
      assertThat(ready.json().at("/components/state_demo/status").asText()).isEqualTo("DOWN");
      assertThat(ready.json().at("/components/state_demo/details/reason").asText()).isEqualTo("backend gone");
      assertThat(ready.json().at("/components/runtime_startup/status").asText()).isEqualTo("UP");
    });
    assertThat(Http.get(actuator(), "/actuator/health/liveness").status()).isEqualTo(200);

    FakeStateStore.HEALTH.remove(probe);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Http.get(actuator(), "/actuator/health/readiness").status()).isEqualTo(200));
  }

  @Test
  void readinessIsDownUntilComponentsAreInitialised() throws Exception {
    int actuatorPort;
    try (ServerSocket s = new ServerSocket(0)) {
      actuatorPort = s.getLocalPort();
    }
    RuntimeConfig config = fakeConfig().withAddresses(new ListenerAddress("127.0.0.1", 0),
        new ListenerAddress("127.0.0.1", actuatorPort));
    CountDownLatch gate = new CountDownLatch(1);
    FakeStateStore.INIT_GATES.put(probe, gate);
    try {
      CompletableFuture<Sidecar> starting = CompletableFuture.supplyAsync(() -> start(config));
      await().atMost(Duration.ofSeconds(10)).until(() -> FakeStateStore.BY_PROBE.containsKey(probe));

      Http.Response ready = Http.get(actuatorPort, "/actuator/health/readiness");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().at("/components/runtime_startup/details/reason").asText()).isEqualTo("starting");
      assertThat(ready.json().at("/components/state_demo/details/reason").asText()).isEqualTo("initialising");
      assertThat(Http.get(actuatorPort, "/actuator/health/liveness").status()).isEqualTo(503);

      gate.countDown();
      starting.get(10, TimeUnit.SECONDS);
      assertThat(Http.get(actuatorPort, "/actuator/health/readiness").status()).isEqualTo(200);
    } finally {
      gate.countDown();
      FakeStateStore.INIT_GATES.remove(probe);
    }
  }

  @Test
  void shutdownDrainsAnInFlightCallAndRefusesNewOnes() throws Exception {
    start(fakeConfig().withDrainTimeout(Duration.ofSeconds(20)));
    int actuatorPort = actuator();
    var inFlight = ClientCalls.futureUnaryCall(channel.newCall(SLOW, CallOptions.DEFAULT), "in-flight");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(sidecar::close);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Http.Response ready = Http.get(actuatorPort, "/actuator/health/readiness");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().at("/components/runtime_startup/details/reason").asText()).isEqualTo("shutdown");
    });
    assertThat(Http.get(actuatorPort, "/actuator/health/liveness").status()).isEqualTo(503);
    ManagedChannel fresh = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort()).usePlaintext().build();
    try {
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(fresh, SLOW, CallOptions.DEFAULT.withDeadlineAfter(
          5, TimeUnit.SECONDS), "late"))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      fresh.shutdownNow();
    }
    assertThat(closing).isNotDone();

    release.countDown();
    assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("done in-flight");
    closing.get(10, TimeUnit.SECONDS);
    assertThat(FakeStateStore.BY_PROBE.get(probe).closeCount()).isEqualTo(1);
  }

  @Test
  void shutdownCancelsCallsThatOutliveTheDrainTimeout() throws Exception {
    start(fakeConfig().withDrainTimeout(Duration.ofMillis(300)));
    var inFlight = ClientCalls.futureUnaryCall(channel.newCall(SLOW, CallOptions.DEFAULT), "stuck");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    long began = System.nanoTime();
    sidecar.close();

    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE));
  }

  @Test
  void requestsOverTheConfiguredMessageSizeAreResourceExhausted() {
    String text = TestConfigs.withFakeStore("state_demo", probe)
        .replace("\"server_name\": \"runtime\",", "\"server_name\": \"runtime\", \"max_recv_msg_size\": 1024,");
    start(ConfigLoader.parse("small.json", text));
    release.countDown();

    assertThat(ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT, "a".repeat(1000)))
        .startsWith("done a");
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW, CallOptions.DEFAULT, "a".repeat(2000)))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
  }

  @Test
  void theBuiltInDefaultRunsWithTheInMemoryStore() {
    RuntimeConfig config = ConfigLoader.loadDefault().withAddresses(new ListenerAddress("127.0.0.1", 0),
        new ListenerAddress("127.0.0.1", 0));
    sidecar = Sidecar.start(config);

    assertThat(sidecar.components().stateStore("state_demo")).isPresent();
    assertThat(sidecar.components().hellos()).containsEntry("helloworld", "greeting");
    Http.Response ready = Http.get(actuator(), "/actuator/health/readiness");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().at("/components/state_demo/details/type").asText()).isEqualTo("in-memory");
    assertThat(Http.get(actuator(), "/actuator/info").json().at("/components/0/capabilities").toString())
        .isEqualTo("[\"etag\",\"transactional\",\"ttl\"]");
  }

  @Test
  void aPortInUseFailsStartupAndLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      RuntimeConfig config = fakeConfig().withAddresses(new ListenerAddress("127.0.0.1", taken.getLocalPort()),
          new ListenerAddress("127.0.0.1", 0));

      assertThatThrownBy(() -> start(config))
          .isInstanceOf(StartupException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (grpc listener 'grpc')");
    }
    assertThat(FakeStateStore.BY_PROBE.get(probe).closeCount()).isEqualTo(1);
  }
}
