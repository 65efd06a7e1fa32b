package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dapr.v1.DaprConfigurationProtos;
import io.dapr.v1.DaprGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.layotto.runtime.component.ComponentFactories;
import io.layotto.runtime.component.ComponentLoader;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.runtime.testing.TestConfigurationStoreFactory;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spec.proto.runtime.v1.RuntimeGrpc;
import spec.proto.runtime.v1.RuntimeProto;

/** The configuration rpcs of both APIs over in-process gRPC: behaviour, defaults and every bad input. */
class ConfigurationApiTest {

  private static final String CONFIG = """
      {"app": {"app_id": "shop"},
       "config_store": {"cfg": {"type": "test-config"},
                        "down": {"type": "test-config", "metadata": {"failWith": "UNAVAILABLE"}}}}
      """;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final TestConfigurationStoreFactory factory = new TestConfigurationStoreFactory();
  private LoadedComponents components;
  private InProcessApi api;
  private RuntimeGrpc.RuntimeBlockingStub layotto;
  private DaprGrpc.DaprBlockingStub dapr;

  @BeforeEach
  void start() {
    open(CONFIG);
  }

  private void open(String grpcConfig) {
    ComponentLoader loader = new ComponentLoader(ComponentFactories.of(List.of())
        .withConfigurationStores(List.of(factory)));
    components = loader.start(loader.plan(ConfigLoader.parse("test.json", TestConfigs.withGrpcConfig(grpcConfig))));
    api = new InProcessApi(components);
    // one deadline for the whole test, so a missing stream message fails it instead of hanging
    layotto = RuntimeGrpc.newBlockingStub(api.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    dapr = DaprGrpc.newBlockingStub(api.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    api.close();
    components.close();
  }

  private static RuntimeProto.ConfigurationItem item(String key, String content) {
    return RuntimeProto.ConfigurationItem.newBuilder().setKey(key).setContent(content).build();
  }

  private void save(RuntimeProto.ConfigurationItem... items) {
    layotto.saveConfiguration(RuntimeProto.SaveConfigurationRequest.newBuilder().setStoreName("cfg")
        .addAllItems(List.of(items)).build());
  }

  private List<RuntimeProto.ConfigurationItem> get(String group, String label, String... keys) {
    return layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .setGroup(group).setLabel(label).addAllKeys(List.of(keys)).build()).getItemsList();
  }

  // ------------------------------------------------------------------ Layotto unary rpcs

  @Test
  void savesReadsAndDeletesWithDefaultsForAppGroupAndLabel() {
    save(item("a", "1").toBuilder().putTags("env", "prod").build(), item("b", "2"),
        item("a", "other label").toBuilder().setLabel("blue").build());

    List<RuntimeProto.ConfigurationItem> items = get("", " ", "a", "missing", "b");

    assertThat(items).extracting(RuntimeProto.ConfigurationItem::getKey).containsExactly("a", "b");
    assertThat(items.getFirst().getContent()).isEqualTo("1");
    assertThat(items.getFirst().getGroup()).isEqualTo("default");
    assertThat(items.getFirst().getLabel()).isEqualTo("default");
    assertThat(items.getFirst().getTagsMap()).containsExactly(Map.entry("env", "prod"));
    assertThat(get("default", "blue")).extracting(RuntimeProto.ConfigurationItem::getContent)
        .containsExactly("other label");
    // the blank app id became the sidecar's
    assertThat(factory.created.getFirst().queries.getFirst().appId()).isEqualTo("shop");

    layotto.deleteConfiguration(RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName("cfg")
        .addKeys("a").addKeys("never").build());
    assertThat(get("", "")).extracting(RuntimeProto.ConfigurationItem::getKey).containsExactly("b");
  }

  @Test
  void appIdsSeparateItems() {
    layotto.saveConfiguration(RuntimeProto.SaveConfigurationRequest.newBuilder().setStoreName("cfg")
        .setAppId("other-app").addItems(item("k", "theirs")).build());
    save(item("k", "ours"));

    assertThat(get("", "", "k")).extracting(RuntimeProto.ConfigurationItem::getContent).containsExactly("ours");
    assertThat(layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .setAppId("other-app").build()).getItemsList()).extracting(RuntimeProto.ConfigurationItem::getContent)
        .containsExactly("theirs");
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String... fragments) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as("status of '%s'", e.getStatus().getDescription()).isEqualTo(code);
      for (String fragment : fragments) {
        assertThat(e.getStatus().getDescription()).contains(fragment);
      }
    });
  }

  @Test
  void badInputIsRejectedWithTheFieldNamed() {
    var save = RuntimeProto.SaveConfigurationRequest.newBuilder().setStoreName("cfg");
    assertStatus(() -> layotto.saveConfiguration(save.clone().setStoreName("").addItems(item("k", "v")).build()),
        Status.Code.INVALID_ARGUMENT, "store_name is empty", "cfg", "down");
    assertStatus(() -> layotto.saveConfiguration(save.clone().setStoreName("nope").addItems(item("k", "v")).build()),
        Status.Code.INVALID_ARGUMENT, "'nope' (store_name) is not found", "cfg");
    assertStatus(() -> layotto.saveConfiguration(save.clone().build()), Status.Code.INVALID_ARGUMENT, "items is empty");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("", "v")).build()),
        Status.Code.INVALID_ARGUMENT, "items[0].key is empty");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("ok", "v")).addItems(item("a||b", "v"))
        .build()), Status.Code.INVALID_ARGUMENT, "items[1].key is 'a||b'", "||");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("k", "")).build()),
        Status.Code.INVALID_ARGUMENT, "items[0].content", "DeleteConfiguration");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("x".repeat(1025), "v")).build()),
        Status.Code.INVALID_ARGUMENT, "items[0].key is 1025 characters", "1024");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("bad\nkey", "v")).build()),
        Status.Code.INVALID_ARGUMENT, "items[0].key", "control characters", "U+000A");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("k", "v").toBuilder().setGroup("g||h"))
        .build()), Status.Code.INVALID_ARGUMENT, "items[0].group is 'g||h'");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("k", "v").toBuilder().putTags("", "x"))
        .build()), Status.Code.INVALID_ARGUMENT, "items[0].tags");
    assertStatus(() -> layotto.saveConfiguration(save.clone().addItems(item("k", "1")).addItems(item("k", "2"))
        .build()), Status.Code.INVALID_ARGUMENT, "items[1] repeats key 'k'", "items[0]");
    assertStatus(() -> layotto.saveConfiguration(save.clone().setAppId("a||b").addItems(item("k", "v")).build()),
        Status.Code.INVALID_ARGUMENT, "app_id is 'a||b'");

    var delete = RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName("cfg");
    assertStatus(() -> layotto.deleteConfiguration(delete.build()), Status.Code.INVALID_ARGUMENT, "keys is empty");
    assertStatus(() -> layotto.deleteConfiguration(delete.clone().addKeys("a").addKeys("").build()),
        Status.Code.INVALID_ARGUMENT, "keys[1] is empty");
    assertStatus(() -> layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .setLabel("l||x").build()), Status.Code.INVALID_ARGUMENT, "label is 'l||x'");
    assertStatus(() -> layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .addKeys("k").addKeys("\u0000").build()), Status.Code.INVALID_ARGUMENT, "keys[1]", "U+0000");
  }

  @Test
  void componentFailuresKeepTheirKindAndNameTheStore() {
    assertStatus(() -> layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("down")
        .addKeys("k").build()), Status.Code.UNAVAILABLE, "configuration store 'down'", "backend said no");
    assertStatus(() -> layotto.saveConfiguration(RuntimeProto.SaveConfigurationRequest.newBuilder()
        .setStoreName("down").addItems(item("k", "v")).build()), Status.Code.UNAVAILABLE, "'down'");
  }

  @Test
  void withoutConfigStoresEveryCallIsFailedPrecondition() {
    stop();
    open("""
        {"app": {"app_id": "shop"}}
        """);
    assertStatus(() -> layotto.getConfiguration(RuntimeProto.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .build()), Status.Code.FAILED_PRECONDITION, "configuration store is not configured");
    assertStatus(() -> dapr.getConfiguration(DaprConfigurationProtos.GetConfigurationRequest.newBuilder()
        .setStoreName("cfg").build()), Status.Code.FAILED_PRECONDITION, "not configured");
  }

  @Test
  void withoutAnyAppIdTheCallSaysSo() {
    stop();
    open("""
        {"config_store": {"cfg": {"type": "test-config"}}}
        """);
    assertStatus(() -> get("", "", "k"), Status.Code.INVALID_ARGUMENT, "app_id is empty", "grpc_config.app.app_id");
    layotto.saveConfiguration(RuntimeProto.SaveConfigurationRequest.newBuilder().setStoreName("cfg").setAppId("mine")
        .addItems(item("k", "v")).build());
  }

  // ------------------------------------------------------------------ Layotto SubscribeConfiguration

  /** Collects a stream's messages and its end. */
  static final class Collector<T> implements StreamObserver<T> {
    final List<T> messages = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile boolean completed;

    @Override
    public void onNext(T value) {
      messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
    }

    @Override
    public void onCompleted() {
      completed = true;
    }
  }

  private static RuntimeProto.SubscribeConfigurationRequest subscription(String store, String... keys) {
    return RuntimeProto.SubscribeConfigurationRequest.newBuilder().setStoreName(store).addAllKeys(List.of(keys)).build();
  }

  @Test
  void subscribeStreamPushesChangesOfEverySubscriptionUntilTheClientCloses() {
    Collector<RuntimeProto.SubscribeConfigurationResponse> received = new Collector<>();
    StreamObserver<RuntimeProto.SubscribeConfigurationRequest> requests =
        RuntimeGrpc.newStub(api.channel).subscribeConfiguration(received);
    requests.onNext(subscription("cfg", "a"));
    requests.onNext(RuntimeProto.SubscribeConfigurationRequest.newBuilder().setStoreName("cfg").setGroup("g2").build());
    TestConfigurationStoreFactory.Store store = factory.created.getFirst();
    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 2);

    save(item("a", "1"), item("ignored", "x"));
    save(item("any", "2").toBuilder().setGroup("g2").putTags("t", "v").build());
    layotto.deleteConfiguration(RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName("cfg")
        .addKeys("a").build());

    await().atMost(WAIT).untilAsserted(() -> assertThat(received.messages).hasSize(3));
    assertThat(received.messages).allSatisfy(m -> {
      assertThat(m.getStoreName()).isEqualTo("cfg");
      assertThat(m.getAppId()).isEqualTo("shop");
      assertThat(m.getItemsCount()).isEqualTo(1);
    });
    assertThat(received.messages).extracting(m -> m.getItems(0).getKey()).containsExactly("a", "any", "a");
    assertThat(received.messages).extracting(m -> m.getItems(0).getContent()).containsExactly("1", "2", "");
    assertThat(received.messages.get(1).getItems(0).getGroup()).isEqualTo("g2");
    assertThat(received.messages.get(1).getItems(0).getTagsMap()).containsEntry("t", "v");

    requests.onCompleted();
    await().atMost(WAIT).until(() -> received.completed);
    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 0);
  }

  @Test
  void aBadSubscribeMessageEndsTheStreamAndItsSubscriptions() {
    Collector<RuntimeProto.SubscribeConfigurationResponse> received = new Collector<>();
    StreamObserver<RuntimeProto.SubscribeConfigurationRequest> requests =
        RuntimeGrpc.newStub(api.channel).subscribeConfiguration(received);
    requests.onNext(subscription("cfg", "a"));
    TestConfigurationStoreFactory.Store store = factory.created.getFirst();
    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 1);

    requests.onNext(subscription("nope", "a"));

    await().atMost(WAIT).until(() -> received.error.get() != null);
    assertThat(Status.fromThrowable(received.error.get()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Status.fromThrowable(received.error.get()).getDescription()).contains("'nope' (store_name)");
    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 0);
  }

  @Test
  void cancellingTheStreamStopsItsSubscriptions() {
    Collector<RuntimeProto.SubscribeConfigurationResponse> received = new Collector<>();
    StreamObserver<RuntimeProto.SubscribeConfigurationRequest> requests =
        RuntimeGrpc.newStub(api.channel).subscribeConfiguration(received);
    requests.onNext(subscription("cfg"));
    TestConfigurationStoreFactory.Store store = factory.created.getFirst();
    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 1);

    requests.onError(Status.CANCELLED.asRuntimeException());

    await().atMost(WAIT).until(() -> store.openSubscriptions.get() == 0);
  }

  @Test
  void failingSubscribeEndsTheStreamWithTheComponentStatus() {
    Collector<RuntimeProto.SubscribeConfigurationResponse> received = new Collector<>();
    RuntimeGrpc.newStub(api.channel).subscribeConfiguration(received).onNext(subscription("down", "k"));

    await().atMost(WAIT).until(() -> received.error.get() != null);
    assertThat(Status.fromThrowable(received.error.get()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  // ------------------------------------------------------------------ Dapr

  @Test
  void daprGetReadsTheSidecarAppWithGroupAndLabelFromMetadata() {
    save(item("a", "1").toBuilder().putTags("owner", "ops").build(), item("b", "2"),
        item("a", "blue").toBuilder().setGroup("g").setLabel("blue").build());

    for (var response : List.of(
        dapr.getConfiguration(DaprConfigurationProtos.GetConfigurationRequest.newBuilder().setStoreName("cfg").build()),
        dapr.getConfigurationAlpha1(DaprConfigurationProtos.GetConfigurationRequest.newBuilder().setStoreName("cfg")
            .build()))) {
      assertThat(response.getItemsMap()).containsOnlyKeys("a", "b");
      assertThat(response.getItemsMap().get("a").getValue()).isEqualTo("1");
      assertThat(response.getItemsMap().get("a").getVersion()).isNotEmpty();
      assertThat(response.getItemsMap().get("a").getMetadataMap()).containsEntry("owner", "ops");
    }
    var blue = dapr.getConfiguration(DaprConfigurationProtos.GetConfigurationRequest.newBuilder().setStoreName("cfg")
        .addKeys("a").putMetadata("group", "g").putMetadata("label", "blue").build());
    assertThat(blue.getItemsMap().get("a").getValue()).isEqualTo("blue");
    assertStatus(() -> dapr.getConfiguration(DaprConfigurationProtos.GetConfigurationRequest.newBuilder()
        .setStoreName("nope").build()), Status.Code.INVALID_ARGUMENT, "'nope' (store_name)");
  }

  @Test
  void daprSubscriptionStartsWithItsIdAndEndsOnUnsubscribe() {
    Iterator<DaprConfigurationProtos.SubscribeConfigurationResponse> stream = dapr.subscribeConfiguration(
        DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder().setStoreName("cfg").addKeys("k").build());
    DaprConfigurationProtos.SubscribeConfigurationResponse first = stream.next();
    assertThat(first.getId()).isNotEmpty();
    assertThat(first.getItemsMap()).isEmpty();

    save(item("k", "v1"));
    DaprConfigurationProtos.SubscribeConfigurationResponse change = stream.next();
    assertThat(change.getId()).isEqualTo(first.getId());
    assertThat(change.getItemsMap().get("k").getValue()).isEqualTo("v1");

    assertStatus(() -> dapr.unsubscribeConfiguration(DaprConfigurationProtos.UnsubscribeConfigurationRequest
        .newBuilder().setStoreName("down").setId(first.getId()).build()), Status.Code.INVALID_ARGUMENT,
        "belongs to configuration store 'cfg'");
    var unsubscribed = dapr.unsubscribeConfiguration(DaprConfigurationProtos.UnsubscribeConfigurationRequest
        .newBuilder().setStoreName("cfg").setId(first.getId()).build());
    assertThat(unsubscribed.getOk()).isTrue();
    assertThat(stream.hasNext()).isFalse();
    await().atMost(WAIT).until(() -> factory.created.getFirst().openSubscriptions.get() == 0);

    assertStatus(() -> dapr.unsubscribeConfigurationAlpha1(DaprConfigurationProtos.UnsubscribeConfigurationRequest
        .newBuilder().setStoreName("cfg").setId(first.getId()).build()), Status.Code.NOT_FOUND, first.getId());
    assertStatus(() -> dapr.unsubscribeConfiguration(DaprConfigurationProtos.UnsubscribeConfigurationRequest
        .newBuilder().setStoreName("cfg").build()), Status.Code.INVALID_ARGUMENT, "id is empty");
  }

  @Test
  void daprSubscriptionReportsDeletionsAndBadStores() {
    Iterator<DaprConfigurationProtos.SubscribeConfigurationResponse> stream = dapr.subscribeConfigurationAlpha1(
        DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder().setStoreName("cfg").build());
    stream.next();
    save(item("x", "1"));
    layotto.deleteConfiguration(RuntimeProto.DeleteConfigurationRequest.newBuilder().setStoreName("cfg")
        .addKeys("x").build());
    assertThat(stream.next().getItemsMap().get("x").getValue()).isEqualTo("1");
    var deleted = stream.next().getItemsMap().get("x");
    assertThat(deleted.getValue()).isEmpty();
    assertThat(deleted.getVersion()).isEmpty();

    assertStatus(() -> dapr.subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder()
        .setStoreName("nope").build()).next(), Status.Code.INVALID_ARGUMENT, "'nope' (store_name)");
    assertStatus(() -> dapr.subscribeConfiguration(DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder()
        .setStoreName("cfg").addKeys("a||b").build()).next(), Status.Code.INVALID_ARGUMENT, "keys[0]");
  }

  @Test
  void cancellingADaprSubscriptionStopsIt() {
    var context = io.grpc.Context.current().withCancellation();
    context.run(() -> {
      Iterator<DaprConfigurationProtos.SubscribeConfigurationResponse> stream = dapr.subscribeConfiguration(
          DaprConfigurationProtos.SubscribeConfigurationRequest.newBuilder().setStoreName("cfg").build());
      stream.next();
    });
    await().atMost(WAIT).until(() -> factory.created.getFirst().openSubscriptions.get() == 1);
    context.cancel(null);
    await().atMost(WAIT).until(() -> factory.created.getFirst().openSubscriptions.get() == 0);
  }
}
