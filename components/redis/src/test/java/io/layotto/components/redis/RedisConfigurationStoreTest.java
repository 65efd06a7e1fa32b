package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.SaveRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis configuration store's data layout, changes made behind its back, and its keyspace modes. */
class RedisConfigurationStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static KeyspaceSetting original;

  private final String prefix = "conf-test-" + UUID.randomUUID().toString().substring(0, 8) + "||";
  private final ConfigurationLayout layout = new ConfigurationLayout(prefix, 0);
  private final RedisTestSupport redis = new RedisTestSupport(0);
  private final List<ConfigurationStore> opened = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void rememberKeyspaceSetting() {
    original = KeyspaceSetting.read(RedisTestSupport.SHARED_REDIS);
  }

  @AfterAll
  static void restoreKeyspaceSetting() {
    original.restore();
  }

  @AfterEach
  void closeAll() {
    opened.forEach(ConfigurationStore::close);
    redis.deleteKeysStartingWith(prefix);
    redis.close();
  }

  private ConfigurationStore open(String address, Map<String, String> extra) {
    Map<String, String> metadata = new HashMap<>(extra);
    metadata.put(RedisSettings.REDIS_HOST, address);
    metadata.putIfAbsent(RedisConfigurationStore.KEY_PREFIX, prefix);
    ConfigurationStore store = new RedisConfigurationStoreFactory().create();
    try {
      store.init(new Metadata("config_test", metadata));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    opened.add(store);
    return store;
  }

  private static ConfigurationItem item(String key, String content, Map<String, String> tags) {
    return ConfigurationItem.of(key, content, "g", "l", tags);
  }

  private Map<String, String> hash(String name) {
    return redis.raw().hgetall(name).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> new String(e.getValue(), UTF_8)));
  }

  @Test
  void dataLayoutIsTheDocumentedOne() {
    ConfigurationStore store = open(RedisTestSupport.SHARED_REDIS, Map.of());
    store.save(SaveRequest.of("app", item("k", "v1", Map.of("b", "2", "a", "1"))));
    store.save(SaveRequest.of("app", item("k", "v2", Map.of("a", "1"))));

    assertThat(hash(prefix + "app||g||l||k")).containsExactlyInAnyOrderEntriesOf(
        Map.of("content", "v2", "tags", "{\"a\":\"1\"}", "version", "2"));
    assertThat(redis.raw().smembers(prefix + "app||g||l")).extracting(b -> new String(b, UTF_8)).containsExactly("k");
    assertThat(store.get(ConfigurationQuery.of("app", "g", "l", "k")).getFirst().version()).isEqualTo("2");

    store.delete(ConfigurationQuery.of("app", "g", "l", "k"));
    assertThat(redis.raw().exists(prefix + "app||g||l||k", prefix + "app||g||l")).isZero();
  }

  @Test
  void changesMadeBehindTheStoresBackAreReported() {
    ConfigurationStore store = open(RedisTestSupport.SHARED_REDIS, Map.of());
    List<ConfigurationItem> events = new CopyOnWriteArrayList<>();
    store.subscribe(new ConfigurationQuery("app", "g", "l", List.of(), Map.of()), events::add);

    redis.raw().hset(layout.itemKey("app", "g", "l", "manual"), Map.of("content", "by hand".getBytes(UTF_8)));
    redis.raw().sadd(layout.indexKey("app", "g", "l"), "manual".getBytes(UTF_8));
    await().atMost(WAIT).untilAsserted(() -> assertThat(events).extracting(ConfigurationItem::content)
        .containsExactly("by hand"));
    assertThat(store.get(new ConfigurationQuery("app", "g", "l", List.of(), Map.of())))
        .extracting(ConfigurationItem::content).containsExactly("by hand");

    redis.raw().hset(layout.itemKey("app", "g", "l", "manual"), Map.of("content", "edited".getBytes(UTF_8)));
    redis.raw().del(layout.itemKey("app", "g", "l", "manual"));
    redis.raw().hset(layout.itemKey("app", "g", "other-label", "manual"), Map.of("content", "x".getBytes(UTF_8)));

    await().atMost(WAIT).untilAsserted(() -> assertThat(events).last().satisfies(i -> assertThat(i.isDeleted()).isTrue()));
    assertThat(events).extracting(ConfigurationItem::key).allMatch("manual"::equals);
    assertThat(events).extracting(ConfigurationItem::label).allMatch("l"::equals);
  }

  @Test
  void namesTheLayoutCannotSeparateAreRejected() {
    ConfigurationStore store = open(RedisTestSupport.SHARED_REDIS, Map.of());

    assertThat(assertFailsWith(() -> store.save(SaveRequest.of("app", item("|edge", "v", Map.of()))),
        Kind.INVALID_ARGUMENT).getMessage()).contains("items[0].key").contains("'|edge'");
    assertThat(assertFailsWith(() -> store.get(ConfigurationQuery.of("app|", "g", "l")), Kind.INVALID_ARGUMENT)
        .getMessage()).contains("app_id");
  }

  @Test
  void checkModeFailsWhenFlagsAreMissingAndNamesThem() throws Exception {
    try (PrivateRedisServer server = new PrivateRedisServer()) {
      server.start();
      String message = assertFailsWith(() -> open(server.address(),
          Map.of(RedisConfigurationStore.KEYSPACE_EVENTS, "check")), Kind.INVALID_ARGUMENT).getMessage();
      assertThat(message).contains("notify-keyspace-events").contains("'Kghxe'").contains("keyspaceEvents");

      open(server.address(), Map.of()); // enable mode adds them
      assertThat(KeyspaceEvents.missing(KeyspaceSetting.read(server.address()).value())).isEmpty();
      open(server.address(), Map.of(RedisConfigurationStore.KEYSPACE_EVENTS, "check"));
    }
  }

  @Test
  void refusedConfigCommandFailsEnableModeClearlyAndLeavesCheckAndOffUsable() throws Exception {
    try (PrivateRedisServer server = new PrivateRedisServer(List.of("--rename-command", "CONFIG", ""))) {
      server.start();
      String message = assertFailsWith(() -> open(server.address(), Map.of()), Kind.INVALID_ARGUMENT).getMessage();
      assertThat(message).contains("refused CONFIG GET notify-keyspace-events").contains("keyspaceEvents")
          .contains("'check'").contains("'off'");

      ConfigurationStore off = open(server.address(), Map.of(RedisConfigurationStore.KEYSPACE_EVENTS, "off"));
      open(server.address(), Map.of(RedisConfigurationStore.KEYSPACE_EVENTS, "check"));
      List<ConfigurationItem> events = new CopyOnWriteArrayList<>();
      off.subscribe(ConfigurationQuery.of("app", "g", "l", "k"), events::add);
      off.save(SaveRequest.of("app", item("k", "through layotto", Map.of())));
      await().atMost(WAIT).untilAsserted(() -> assertThat(events).extracting(ConfigurationItem::content)
          .containsExactly("through layotto"));
    }
  }

  @Test
  void unknownKeyspaceModeIsRejected() {
    assertThat(assertFailsWith(() -> open(RedisTestSupport.SHARED_REDIS,
        Map.of(RedisConfigurationStore.KEYSPACE_EVENTS, "sometimes")), Kind.INVALID_ARGUMENT).getMessage())
        .contains("keyspaceEvents").contains("sometimes").contains("enable");
  }

  @Test
  void missingFlagsAreComputedWithTheAllAlias() {
    assertThat(KeyspaceEvents.missing("")).isEqualTo("Kghxe");
    assertThat(KeyspaceEvents.missing("KA")).isEmpty();
    assertThat(KeyspaceEvents.missing("AK")).isEmpty();
    assertThat(KeyspaceEvents.missing("Ex")).isEqualTo("Kghe");
    assertThat(KeyspaceEvents.missing("Kgh")).isEqualTo("xe");
  }

  @Test
  void healthIsUpWhileRedisIs() {
    assertThat(open(RedisTestSupport.SHARED_REDIS, Map.of()).checkHealth().isUp()).isTrue();
  }
}
