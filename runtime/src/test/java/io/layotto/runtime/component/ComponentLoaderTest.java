package io.layotto.runtime.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.runtime.StartupException;
import io.layotto.runtime.config.ConfigException;
import io.layotto.runtime.config.ConfigLoader;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.testing.FakeStateStore;
import io.layotto.runtime.testing.FakeStateStoreFactory;
import io.layotto.runtime.testing.StrictStateStoreFactory;
import io.layotto.runtime.testing.TestConfigs;
import io.layotto.spi.BuildingBlock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ComponentLoaderTest {

  private static final String STATE_PATH =
      "$.servers[0].listeners[0].filter_chains[0].filters[0].config.grpc_config.state";

  private final ComponentLoader loader = new ComponentLoader(ComponentFactories.discover(getClass().getClassLoader()));
  private final String run = UUID.randomUUID().toString();

  private static RuntimeConfig config(String grpcConfig) {
    return ConfigLoader.parse("c.json", TestConfigs.withGrpcConfig(grpcConfig));
  }

  @Test
  void unknownTypeListsTheAvailableOnes() {
    ComponentFactories factories = ComponentFactories.of(List.of(new StrictStateStoreFactory("redis"),
        new StrictStateStoreFactory("in-memory"), new StrictStateStoreFactory("postgresql"),
        new StrictStateStoreFactory("mysql")));

    assertThatThrownBy(() -> new ComponentLoader(factories).plan(config(
        "{\"state\": {\"foo\": {\"type\": \"redix\", \"metadata\": {}}}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid config c.json: " + STATE_PATH
            + ".foo.type: unknown state type 'redix'; available: in-memory, mysql, postgresql, redis");
  }

  @Test
  void unknownHelloTypeIsRejected() {
    assertThatThrownBy(() -> loader.plan(config("{\"hellos\": {\"h\": {\"type\": \"hi\", \"hello\": \"x\"}}}")))
        .hasMessageEndingWith("grpc_config.hellos.h.type: unknown hellos type 'hi'; available: helloworld");
  }

  @Test
  void missingRequiredAndBadMetadataValuesAreAllReported() {
    assertThatThrownBy(() -> loader.plan(config("""
        {"state": {"s": {"type": "test-strict", "metadata": {"poolSize": "many", "mode": "slow"}}}}
        """)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(Object::toString).containsExactly(
            STATE_PATH + ".s.metadata: 'endpoint' is required (host:port of the backend)",
            STATE_PATH + ".s.metadata: 'poolSize' is 'many', expected an integer",
            STATE_PATH + ".s.metadata: 'mode' is 'slow', expected one of [fast, safe]"));
  }

  @Test
  void keyPrefixMustNotContainTheSeparator() {
    assertThatThrownBy(() -> loader.plan(config("""
        {"state": {"s": {"type": "test-fake", "metadata": {"keyPrefix": "a||b"}}}}
        """)))
        .hasMessageContaining(STATE_PATH + ".s.metadata.keyPrefix: is 'a||b', which must not contain '||'; "
            + "allowed: appid, name, none or a literal prefix without '||'");
  }

  @Test
  void keyPrefixStrategiesMustNotResolveToTheSeparator() {
    assertThatThrownBy(() -> loader.plan(config("""
        {"app": {"app_id": "a||b"},
         "state": {"s": {"type": "test-fake", "metadata": {"keyPrefix": "AppId"}},
                   "x||y": {"type": "test-fake", "metadata": {"keyPrefix": "name"}}}}
        """)))
        .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(Object::toString).containsExactly(
            STATE_PATH + ".s.metadata.keyPrefix: is 'AppId', which resolves to 'a||b', which must not contain '||'; "
                + "allowed: appid, name, none or a literal prefix without '||'",
            STATE_PATH + "['x||y'].metadata.keyPrefix: is 'name', which resolves to 'x||y', which must not contain "
                + "'||'; allowed: appid, name, none or a literal prefix without '||'"));
  }

  @Test
  void duplicateFactoryTypesAreAnError() {
    assertThatThrownBy(() -> ComponentFactories.of(List.of(new StrictStateStoreFactory("redis"),
        new StrictStateStoreFactory("redis"))))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("two state store factories declare type 'redis'");
  }

  @Test
  void startsComponentsInConfigOrderAndDescribesThem() {
    ComponentLoader.Plan plan = loader.plan(config("""
        {"app": {"app_id": "shop"},
         "hellos": {"hi": {"type": "helloworld", "hello": "hello there"}},
         "state": {"b": {"type": "test-fake", "metadata": {"probe": "%1$s-b", "keyPrefix": "Name", "extra": "1"}},
                   "a": {"type": "test-strict", "metadata": {"probe": "%1$s-a", "endpoint": "h:1"}}}}
        """.formatted(run)));

    assertThat(plan.warnings()).contains(
        "state 'b' (type test-fake): metadata [extra] not understood by this component type, ignored");
    try (LoadedComponents loaded = loader.start(plan)) {
      assertThat(loaded.appId()).isEqualTo("shop");
      assertThat(loaded.stateStoreNames()).containsExactly("b", "a");
      assertThat(loaded.stateKeyPrefix("b")).isEqualTo("name");
      assertThat(loaded.stateKeyPrefix("a")).isEqualTo("none");
      assertThat(loaded.hellos()).containsEntry("hi", "hello there");
      assertThat(loaded.infos()).containsExactly(
          new ComponentInfo("b", BuildingBlock.STATE, "test-fake", Set.of("etag", "ttl")),
          new ComponentInfo("a", BuildingBlock.STATE, "test-strict", Set.of()));
      assertThat(FakeStateStore.BY_PROBE.get(run + "-b").initialised()).isTrue();
    }
    assertThat(FakeStateStore.BY_PROBE.get(run + "-b").closeCount()).isEqualTo(1);
  }

  @Test
  void aFailingInitClosesTheComponentsStartedBeforeIt() {
    ComponentLoader.Plan plan = loader.plan(config("""
        {"state": {"first": {"type": "test-fake", "metadata": {"probe": "%1$s-1"}},
                   "second": {"type": "test-fake", "metadata": {"probe": "%1$s-2", "failInit": "true"}},
                   "third": {"type": "test-fake", "metadata": {"probe": "%1$s-3"}}}}
        """.formatted(run)));

    assertThatThrownBy(() -> loader.start(plan))
        .isInstanceOf(ComponentInitException.class)
        .hasMessage("state store 'second' (type test-fake) failed to initialise: "
            + "cannot connect to fake backend (failInit=true)");

    assertThat(FakeStateStore.BY_PROBE.get(run + "-1").closeCount()).isEqualTo(1);
    assertThat(FakeStateStore.BY_PROBE.get(run + "-2").closeCount()).isEqualTo(1);
    assertThat(FakeStateStore.BY_PROBE).doesNotContainKey(run + "-3");
  }
}
