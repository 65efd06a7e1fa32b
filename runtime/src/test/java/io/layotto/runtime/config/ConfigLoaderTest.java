package io.layotto.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layotto.runtime.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  private static final String GRPC_CONFIG_PATH =
      "$.servers[0].listeners[0].filter_chains[0].filters[0].config.grpc_config";

  static Stream<Path> shippedConfigs() throws IOException {
    return Files.list(Path.of("..", "configs")).filter(p -> p.toString().endsWith(".json")).sorted();
  }

  @ParameterizedTest
  @MethodSource("shippedConfigs")
  void everyShippedConfigParses(Path file) {
    RuntimeConfig config = ConfigLoader.load(file);

    assertThat(config.grpcAddress()).isEqualTo(new ListenerAddress("127.0.0.1", 34904));
    assertThat(config.actuatorAddress()).isEqualTo(new ListenerAddress("127.0.0.1", 34999));
    assertThat(config.stateStores()).containsKey("state_demo");
    assertThat(config.app().appId()).isEqualTo("app1");
    assertThat(config.hellos()).containsKey("helloworld");
  }

  @Test
  void shippedConfigsAreTheFourBackends() throws IOException {
    assertThat(shippedConfigs().map(p -> p.getFileName().toString())).contains(
        "config_standalone.json", "config_redis.json", "config_postgresql.json", "config_mysql.json");
    assertThat(ConfigLoader.load(Path.of("..", "configs", "config_redis.json")).stateStores().get("state_demo")
        .metadata()).containsEntry("redisHost", "127.0.0.1:6379");
  }

  @Test
  void standaloneConfigWarnsAboutBuildingBlocksNotSupportedYet() {
    RuntimeConfig config = ConfigLoader.load(Path.of("..", "configs", "config_standalone.json"));

    assertThat(config.stateStores().get("state_demo").type()).isEqualTo("in-memory");
    assertThat(config.pubSubs().get("pub_subs_demo").type()).isEqualTo("in-memory");
    assertThat(config.pubSubs().get("pub_subs_demo").metadata()).containsEntry("consumerID", "1");
    assertThat(config.warnings()).noneSatisfy(w -> assertThat(w).contains("pub_subs"));
    assertThat(config.locks().get("lock_demo").type()).isEqualTo("in-memory");
    assertThat(config.warnings()).noneSatisfy(w -> assertThat(w).contains("grpc_config.lock"));
    assertThat(config.sequencers().get("sequencer_demo").component().type()).isEqualTo("in-memory");
    assertThat(config.warnings()).noneSatisfy(w -> assertThat(w).contains("sequencer"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("grpc_config.secret_store")
        .contains("not yet supported"));
    assertThat(config.ignoredSettings()).contains("$.tracing", "$.metrics");
  }

  @Test
  void builtInDefaultIsTheDocumentedOne() {
    RuntimeConfig config = ConfigLoader.loadDefault();

    assertThat(config.source()).contains("built-in default");
    assertThat(config.grpcAddress()).isEqualTo(new ListenerAddress("127.0.0.1", 34904));
    assertThat(config.actuatorAddress()).isEqualTo(new ListenerAddress("127.0.0.1", 34999));
    assertThat(config.stateStores().get("state_demo").type()).isEqualTo("in-memory");
    assertThat(config.hellos().get("helloworld").greeting()).isEqualTo("greeting");
    assertThat(config.app().appId()).isEqualTo("app1");
    assertThat(config.maxInboundMessageSize()).isEqualTo(4 * 1024 * 1024);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void readsGrpcConfigSectionsInFileOrder() {
    RuntimeConfig config = ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"app": {"app_id": "shop", "grpc_callback_port": 9999, "grpc_callback_host": "10.0.0.1"},
         "state": {"b": {"type": "redis", "metadata": {"redisHost": "h:1", "redisDB": 3, "enableTLS": false}},
                   "a": {"type": "in-memory"}}}
        """));

    assertThat(config.stateStores().keySet()).containsExactly("b", "a");
    ComponentConfig b = config.stateStores().get("b");
    assertThat(b.metadata()).containsExactly(
        java.util.Map.entry("redisHost", "h:1"), java.util.Map.entry("redisDB", "3"),
        java.util.Map.entry("enableTLS", "false"));
    assertThat(b.path()).isEqualTo(GRPC_CONFIG_PATH + ".state.b");
    assertThat(config.app()).isEqualTo(new AppConfig("shop", 9999, "10.0.0.1"));
    assertThat(config.warnings()).noneSatisfy(w -> assertThat(w).contains("grpc_callback_port"));
    assertThat(config.grpcAddress().port()).isZero();
  }

  @Test
  void acceptsAnyInterfaceAndMessageSizeAndGracefulTimeout() {
    String text = TestConfigs.withGrpcConfig("{}").replaceFirst("127.0.0.1:0", "0.0.0.0:34904")
        .replace("\"server_name\": \"runtime\",", "\"server_name\": \"runtime\", \"max_recv_msg_size\": 1048576,")
        .replace("\"default_log_path\": \"stdout\",", "\"default_log_path\": \"stdout\", \"graceful_timeout\": \"30s\",");

    RuntimeConfig config = ConfigLoader.parse("t.json", text);

    assertThat(config.grpcAddress()).isEqualTo(new ListenerAddress("0.0.0.0", 34904));
    assertThat(config.maxInboundMessageSize()).isEqualTo(1048576);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void ignoresOtherMosnKeysFiltersAndListeners() {
    String text = """
        {"servers": [{"routers": [{"router_config_name": "r"}], "listeners": [
           {"name": "grpc", "address": "127.0.0.1:34904", "filter_chains": [{"filters": [
              {"type": "tcpcopy", "config": {"strategy": {"switch": "ON"}}},
              {"type": "grpc", "config": {"server_name": "runtime", "grpc_config": {"state": {}}}}]}],
            "stream_filters": [{"type": "flowControlFilter", "config": {}}]},
           {"name": "wasm", "address": "0.0.0.0:2045", "filter_chains": [{"filters": [{"type": "proxy"}]}]}]}],
         "tracing": {"enable": true}, "metrics": {"sinks": []}, "pprof": {"debug": true},
         "dynamic_resources": {}, "static_resources": {}, "cluster_manager": {"clusters": []},
         "mystery": 1}
        """;

    RuntimeConfig config = ConfigLoader.parse("t.json", text);

    assertThat(config.actuatorAddress()).isNull();
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("[tcpcopy]"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("[flowControlFilter]"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("'wasm'").contains("ignored"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("'mystery'"));
    assertThat(config.ignoredSettings()).contains("$.tracing", "$.pprof", "$.cluster_manager", "$.servers[0].routers");
  }

  @Test
  void malformedJsonNamesFileLineAndColumn(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\n  \"servers\": [\n    {\"listeners\": [}\n  ]\n}\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid config " + file + ": $: malformed JSON at line 3, column ");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path file = dir.resolve("nope.json");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("file not found");
  }

  @Test
  void emptyFileIsRejected() {
    assertThatThrownBy(() -> ConfigLoader.parse("e.json", "  "))
        .hasMessageContaining("e.json").hasMessageContaining("the file is empty");
  }

  @Test
  void configWithoutGrpcListenerIsRejected() {
    String text = """
        {"servers": [{"listeners": [{"name": "actuator", "address": "127.0.0.1:34999",
           "stream_filters": [{"type": "actuator_filter"}]}]}]}
        """;

    assertThatThrownBy(() -> ConfigLoader.parse("x.json", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("x.json")
        .hasMessageContaining("$.servers[*].listeners: no listener has a 'grpc' network filter");
  }

  @Test
  void missingServersIsRejected() {
    assertThatThrownBy(() -> ConfigLoader.parse("x.json", "{\"tracing\": {}}"))
        .hasMessage("invalid config x.json: $.servers: missing; expected an array of servers with listeners");
  }

  @Test
  void unixSocketListenerIsRejectedClearly() {
    String text = TestConfigs.withGrpcConfig("{}").replaceFirst("\"bind_port\": true,", "\"network\": \"unix\",");

    assertThatThrownBy(() -> ConfigLoader.parse("u.json", text))
        .hasMessageContaining("$.servers[0].listeners[0].network: 'unix' (Unix domain socket listeners) is not "
            + "supported yet; allowed: tcp");
  }

  @Test
  void badAddressNamesTheValue() {
    String text = TestConfigs.withGrpcConfig("{}").replaceFirst("127.0.0.1:0", "localhost:99999");

    assertThatThrownBy(() -> ConfigLoader.parse("a.json", text))
        .hasMessageContaining("$.servers[0].listeners[0].address: is \"localhost:99999\", expected \"host:port\"");
  }

  @Test
  void wrongServerNameAndShapesAreAllReportedAtOnce() {
    String text = TestConfigs.withGrpcConfig("""
        {"app": {"grpc_callback_port": "x"},
         "state": {"s1": {"metadata": {"a": {"nested": true}}}, "s2": {"type": ""}, "s3": []}}
        """).replace("\"server_name\": \"runtime\"", "\"server_name\": \"mosn\"");

    assertThatThrownBy(() -> ConfigLoader.parse("m.json", text))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(ConfigException.Problem::toString)
            .containsExactlyInAnyOrder(
                "$.servers[0].listeners[0].filter_chains[0].filters[0].config.server_name: is \"mosn\"; allowed: \"runtime\"",
                GRPC_CONFIG_PATH + ".app.grpc_callback_port: is \"x\", expected a port number 0..65535",
                GRPC_CONFIG_PATH + ".state.s1.type: missing",
                GRPC_CONFIG_PATH + ".state.s2.type: is \"\", expected a non-empty string",
                GRPC_CONFIG_PATH + ".state.s3: is an array, expected a JSON object"))
        .hasMessageStartingWith("invalid config m.json: 5 problems");
  }

  @Test
  void nonScalarMetadataIsRejected() {
    String text = TestConfigs.withGrpcConfig("""
        {"state": {"s": {"type": "redis", "metadata": {"redisHost": ["a", "b"]}}}}
        """);

    assertThatThrownBy(() -> ConfigLoader.parse("m.json", text))
        .hasMessageContaining(GRPC_CONFIG_PATH + ".state.s.metadata.redisHost: is array, expected a string");
  }

  @Test
  void oddComponentNamesAreQuotedInPaths() {
    String text = TestConfigs.withGrpcConfig("{\"state\": {\"my store\": {}}}");

    assertThatThrownBy(() -> ConfigLoader.parse("m.json", text))
        .hasMessageContaining(GRPC_CONFIG_PATH + ".state['my store'].type: missing");
  }

  @Test
  void secondGrpcListenerIsRejected() {
    String text = """
        {"servers": [{"listeners": [
          {"name": "a", "address": "127.0.0.1:1", "filter_chains": [{"filters": [{"type": "grpc", "config": {"grpc_config": {}}}]}]},
          {"name": "b", "address": "127.0.0.1:2", "filter_chains": [{"filters": [{"type": "grpc", "config": {"grpc_config": {}}}]}]}]}]}
        """;

    assertThatThrownBy(() -> ConfigLoader.parse("two.json", text))
        .hasMessageContaining("$.servers[0].listeners[1].filter_chains[0].filters[0]: a second grpc listener is not "
            + "supported; the first one is $.servers[0].listeners[0]");
  }

  @Test
  void readsPubSubsLikeStateStores() {
    RuntimeConfig config = ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"pub_subs": {"orders": {"type": "redis", "metadata": {"redisHost": "h:1", "consumerID": "g1"}},
                      "events": {"type": "in-memory"}}}
        """));

    assertThat(config.pubSubs().keySet()).containsExactly("orders", "events");
    assertThat(config.pubSubs().get("orders").metadata()).containsEntry("consumerID", "g1");
    assertThat(config.pubSubs().get("orders").path()).isEqualTo(GRPC_CONFIG_PATH + ".pub_subs.orders");
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void pubSubEntryWithoutTypeNamesItsPath() {
    assertThatThrownBy(() -> ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig(
        "{\"pub_subs\": {\"orders\": {\"metadata\": {}}, \"b\": {\"type\": \"x\", \"metadata\": {\"a\": {}}}}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(GRPC_CONFIG_PATH + ".pub_subs.orders.type: missing")
        .hasMessageContaining(GRPC_CONFIG_PATH + ".pub_subs.b.metadata.a: is object, expected a string");
  }

  @Test
  void readsConfigStoresWithAddressAndTimeoutFoldedIntoMetadata() {
    RuntimeConfig config = ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"config_store": {"etcd_demo": {"type": "etcd", "address": ["127.0.0.1:2379", "127.0.0.1:2380"],
                                        "timeout": "10", "store_name": "ignored", "metadata": {"x": "1"}},
                          "mem": {"type": "in-memory"}}}
        """));

    assertThat(config.configStores().keySet()).containsExactly("etcd_demo", "mem");
    assertThat(config.configStores().get("etcd_demo").metadata()).containsEntry("x", "1")
        .containsEntry("address", "127.0.0.1:2379,127.0.0.1:2380").containsEntry("timeout", "10");
    assertThat(config.configStores().get("mem").path()).isEqualTo(GRPC_CONFIG_PATH + ".config_store.mem");
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void badConfigStoreAddressesAreReportedWithTheirPath() {
    assertThatThrownBy(() -> ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig("""
        {"config_store": {"a": {"type": "etcd", "address": ["ok:1", 7], "timeout": {}},
                          "b": {"type": "etcd", "address": "h:1", "metadata": {"address": "other:2"}},
                          "c": {"address": []}}}
        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(GRPC_CONFIG_PATH + ".config_store.a.address[1]: is the number 7")
        .hasMessageContaining(GRPC_CONFIG_PATH + ".config_store.a.timeout: is an object")
        .hasMessageContaining(GRPC_CONFIG_PATH + ".config_store.b.address: is set both beside and inside metadata")
        .hasMessageContaining(GRPC_CONFIG_PATH + ".config_store.c.type: missing");
  }

  @Test
  void emptyUnsupportedSectionsDoNotWarn() {
    RuntimeConfig config = ConfigLoader.parse("t.json", TestConfigs.withGrpcConfig(
        "{\"pub_subs\": {}, \"lock\": {}, \"state\": {}}"));

    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void recordsAreImmutable() {
    RuntimeConfig config = ConfigLoader.loadDefault();

    assertThatThrownBy(() -> config.stateStores().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.stateStores().get("state_demo").metadata().put("a", "b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
