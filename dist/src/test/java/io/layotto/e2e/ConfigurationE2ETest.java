package io.layotto.e2e;

import static io.layotto.e2e.GrpcStatusAssert.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.domain.ConfigurationItem;
import io.dapr.client.domain.SubscribeConfigurationResponse;
import io.dapr.config.Properties;
import io.dapr.exceptions.DaprException;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.layotto.e2e.harness.EtcdServerProcess;
import io.layotto.e2e.harness.GrpcClients;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/**
 * The Configuration API through the real sidecar, over an in-memory store, the shared Redis (a key
 * prefix of this run) and a private etcd: the Dapr Java SDK (get, subscribe, unsubscribe) and a grpc-java client on
 * Layotto's protos (save, get, delete, the bidirectional subscription), which also plays "another
 * client" changing what the SDK watches.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class ConfigurationE2ETest {

  private static final String IN_MEMORY = "mem_config";
  private static final String REDIS = "redis_config";
  private static final String ETCD = "etcd_config";
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static EtcdServerProcess etcd;
  /** The shared Redis's notify-keyspace-events before the redis store added its flags; put back after. */
  private static String keyspaceSetting;
  private static SidecarProcess sidecar;
  private static ManagedChannel channel;
  private static ManagedChannel otherChannel;
  private static DaprClient dapr;

  @BeforeAll
  static void startSidecar() {
    keyspaceSetting = sharedRedis(c -> c.configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", ""));
    etcd = EtcdServerProcess.startOnFreePorts();
    sidecar = SidecarProcess.start(SidecarConfig.defaults()
        .withComponent("config_store", IN_MEMORY, "in-memory", Map.of())
        .withComponent("config_store", REDIS, "redis", Map.of("redisHost", "127.0.0.1:6379",
            "configKeyPrefix", "e2e-config-" + RUN + "||"))
        .withComponent("config_store", ETCD, "etcd", Map.of("endpoints", etcd.endpoint())));
    channel = GrpcClients.channel(sidecar.grpcPort());
    otherChannel = GrpcClients.channel(sidecar.grpcPort());
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .build();
  }

  @AfterAll
  static void stopSidecar() throws Exception {
    try {
      if (dapr != null) {
        dapr.close();
      }
      if (channel != null) {
        GrpcClients.close(channel);
        GrpcClients.close(otherChannel);
      }
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
      if (etcd != null) {
        etcd.close();
      }
      if (keyspaceSetting != null) {
        sharedRedis(c -> c.configSet("notify-keyspace-events", keyspaceSetting));
      }
    }
  }

  private static <T> T sharedRedis(java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> call) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379");
    try (var connection = client.connect()) {
      return call.apply(connection.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static RuntimeGrpc.RuntimeBlockingStub runtime(ManagedChannel over) {
    return RuntimeGrpc.newBlockingStub(over).withDeadlineAfter(GrpcClients.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static String key(String name) {
    return RUN + "-" + name;
  }

  private static RuntimeProto.ConfigurationItem item(String key, String content) {
    return RuntimeProto.ConfigurationItem.newBuilder().setKey(key).setContent(content).build();
  }

  private static void save(ManagedChannel over, String store, RuntimeProto.ConfigurationItem... items) {
    runtime(over).saveConfiguration(RuntimeProto.SaveConfigurationRequest.newBuilder().setStoreName(store)
        .addAllItems(List.of(items)).build());
  }

  // ------------------------------------------------------------------ Layotto API (grpc-java)

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS, ETCD})
  void layottoSavesReadsAndDeletesWithGroupsLabelsAndTags(String store) {
    String group = "grp-" + RUN;
    save(channel, store,
        item(key("a"), "alpha").toBuilder().setGroup(group).putTags("owner", "team-a").build(),
        item(key("b"), "beta").toBuilder().setGroup(group).build(),
        item(key("a"), "alpha-canary").toBuilder().setGroup(group).setLabel("canary").build());

    var all = runtime(channel).getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName(store)
        .setGroup(group).build()).getItemsList();
    assertThat(all).extracting(RuntimeProto.ConfigurationItem::getKey).containsExactly(key("a"), key("b"));
    assertThat(all.getFirst().getTagsMap()).containsEntry("owner", "team-a");
    assertThat(all.getFirst().getLabel()).isEqualTo("default");
    var canary = runtime(channel).getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder()
        .setStoreName(store).setGroup(group).setLabel("canary").addKeys(key("a")).build()).getItemsList();
    assertThat(canary).extracting(RuntimeProto.ConfigurationItem::getContent).containsExactly("alpha-canary");

    runtime(channel).deleteConfiguration(RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName(store)
        .setGroup(group).addKeys(key("a")).addKeys(key("b")).build());
    assertThat(runtime(channel).getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder()
        .setStoreName(store).setGroup(group).build()).getItemsList()).isEmpty();
  }

  /** Collects a Layotto subscription stream. */
  private static final class Received implements StreamObserver<RuntimeProto.SubscribeConfigurationResponse> {
    final List<RuntimeProto.SubscribeConfigurationResponse> messages = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicBoolean completed = new AtomicBoolean();

    @Override
    public void onNext(RuntimeProto.SubscribeConfigurationResponse value) {
      messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
    }

    @Override
    public void onCompleted() {
      completed.set(true);
    }

    List<String> contents() {
      return messages.stream().map(m -> m.getItems(0).getContent()).toList();
    }

    /** The contents from index {@code from} on, of one snapshot: pushes may arrive while it is read. */
    List<String> contentsFrom(int from) {
      List<String> now = contents();
      return now.subList(Math.min(from, now.size()), now.size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS, ETCD})
  void layottoSubscriberSeesEveryChangeOfAnotherClientInOrderWithinOneSecond(String store) {
    String k = key("watched-" + store);
    Received received = new Received();
    StreamObserver<RuntimeProto.SubscribeConfigurationRequest> requests = RuntimeGrpc.newStub(channel)
        .subscribeConfiguration(received);
    requests.onNext(RuntimeProto.SubscribeConfigurationRequest.newBuilder().setStoreName(store).addKeys(k).build());
    // the subscription is live once a change made now is pushed; changes of one key arrive in order,
    // so nothing saved before the marker can arrive after it
    String marker = null;
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int attempt = 1; marker == null; attempt++) {
      String candidate = "warm-up-" + attempt;
      save(otherChannel, store, item(k, candidate));
      try {
        await().atMost(Duration.ofSeconds(2)).until(() -> received.contents().contains(candidate));
        marker = candidate;
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        assertThat(System.nanoTime()).as("the subscription never became live").isLessThan(deadline);
      }
    }
    int before = received.contents().indexOf(marker) + 1;

    // one at a time: each change is pushed within a second
    List<String> expected = new ArrayList<>();
    for (String content : List.of("one", "two", "three")) {
      save(otherChannel, store, item(k, content));
      expected.add(content);
      await("'" + content + "' pushed").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
          .untilAsserted(() -> assertThat(received.contentsFrom(before)).containsExactlyElementsOf(expected));
    }
    // a burst: every change, in order
    List<String> burst = IntStream.rangeClosed(1, 50).mapToObj(i -> "burst-" + i).toList();
    burst.forEach(content -> save(otherChannel, store, item(k, content)));
    runtime(otherChannel).deleteConfiguration(RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName(store)
        .addKeys(k).build());
    List<String> all = new ArrayList<>(expected);
    all.addAll(burst);
    all.add("");
    await().atMost(WAIT).untilAsserted(() -> assertThat(received.messages).hasSize(before + all.size()));
    assertThat(received.contentsFrom(before)).containsExactlyElementsOf(all);
    assertThat(received.messages).allSatisfy(m -> {
      assertThat(m.getStoreName()).isEqualTo(store);
      assertThat(m.getAppId()).isEqualTo("e2e-app");
    });

    requests.onCompleted();
    await().atMost(WAIT).untilTrue(received.completed);
  }

  @Test
  void layottoBadInputGetsTheRightStatusNamingTheField() {
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> save(channel, "", item("k", "v")), "store_name is empty",
        IN_MEMORY, REDIS);
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> save(channel, "nope", item("k", "v")), "'nope'",
        "store_name");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> save(channel, REDIS, item("a||b", "v")), "items[0].key",
        "||");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> save(channel, REDIS, item("|edge", "v")), "items[0].key");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> save(channel, IN_MEMORY, item("k", "")), "items[0].content");
    assertFailsWith(Status.Code.INVALID_ARGUMENT, () -> runtime(channel).deleteConfiguration(
        RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName(IN_MEMORY).build()), "keys is empty");

    Received received = new Received();
    RuntimeGrpc.newStub(channel).subscribeConfiguration(received)
        .onNext(RuntimeProto.SubscribeConfigurationRequest.newBuilder().setStoreName("nope").build());
    await().atMost(WAIT).until(() -> received.error.get() != null);
    Status status = Status.fromThrowable(received.error.get());
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("'nope' (store_name)");
    GrpcStatusAssert.assertNoStackTrace(status);
  }

  @Test
  void actuatorListsTheConfigStoresAndTheirHealth() {
    var ready = sidecar.readiness();
    assertThat(ready.status()).as("%s", ready).isEqualTo(200);
    for (String store : List.of(IN_MEMORY, REDIS, ETCD)) {
      assertThat(ready.json().path("components").path(store).path("status").asText()).as("%s", ready)
          .isEqualTo("UP");
    }
    var info = sidecar.info();
    Map<String, String> kindByName = new java.util.HashMap<>();
    info.json().path("components").forEach(c -> kindByName.put(c.path("name").asText(),
        c.path("kind").asText() + "/" + c.path("type").asText()));
    assertThat(kindByName).as("%s", info).containsEntry(IN_MEMORY, "config_store/in-memory")
        .containsEntry(REDIS, "config_store/redis").containsEntry(ETCD, "config_store/etcd");
  }

  // ------------------------------------------------------------------ Dapr Java SDK

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS, ETCD})
  void daprSdkReadsWhatLayottoSaved(String store) {
    save(channel, store, item(key("x"), "ex").toBuilder().putTags("env", "prod").build(), item(key("y"), "why"),
        item(key("x"), "ex-blue").toBuilder().setGroup("g").setLabel("blue").build());

    Map<String, ConfigurationItem> items = dapr.getConfiguration(store, key("x"), key("y"), key("missing")).block();

    assertThat(items).containsOnlyKeys(key("x"), key("y"));
    assertThat(items.get(key("x")).getValue()).isEqualTo("ex");
    assertThat(items.get(key("x")).getVersion()).isNotEmpty();
    assertThat(items.get(key("x")).getMetadata()).containsEntry("env", "prod");
    Map<String, ConfigurationItem> blue = dapr.getConfiguration(store, List.of(key("x")),
        Map.of("group", "g", "label", "blue")).block();
    assertThat(blue.get(key("x")).getValue()).isEqualTo("ex-blue");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS, ETCD})
  void daprSdkSubscribesSeesChangesAndUnsubscribes(String store) {
    String k = key("dapr-watched");
    List<SubscribeConfigurationResponse> responses = new CopyOnWriteArrayList<>();
    AtomicBoolean completed = new AtomicBoolean();
    Disposable subscription = dapr.subscribeConfiguration(store, k)
        .subscribe(responses::add, error -> { }, () -> completed.set(true));
    try {
      await().atMost(WAIT).until(() -> !responses.isEmpty());
      String id = responses.getFirst().getSubscriptionId();
      assertThat(id).isNotEmpty();
      assertThat(responses.getFirst().getItems()).isEmpty();

      save(channel, store, item(k, "v1"));
      save(channel, store, item(k, "v2"));
      await().atMost(WAIT).untilAsserted(() -> assertThat(responses).hasSize(3));
      assertThat(responses.subList(1, 3)).extracting(r -> r.getItems().get(k).getValue()).containsExactly("v1", "v2");
      assertThat(responses).extracting(SubscribeConfigurationResponse::getSubscriptionId).containsOnly(id);

      assertThat(dapr.unsubscribeConfiguration(id, store).block().getIsUnsubscribed()).isTrue();
      await().atMost(WAIT).untilTrue(completed);
      save(channel, store, item(k, "after"));
      assertThatThrownBy(() -> dapr.unsubscribeConfiguration(id, store).block())
          .isInstanceOfSatisfying(DaprException.class, e -> assertThat(e.getErrorCode()).isEqualTo("NOT_FOUND"));
      assertThat(responses).hasSize(3);
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void daprSdkUnknownStoreIsInvalidArgumentNamingIt() {
    assertThatThrownBy(() -> dapr.getConfiguration("no_such_store", "k").block())
        .isInstanceOfSatisfying(DaprException.class, e -> {
          assertThat(e.getErrorCode()).isEqualTo("INVALID_ARGUMENT");
          assertThat(e.getMessage()).contains("no_such_store").contains(IN_MEMORY).contains(REDIS);
        });
  }
}
