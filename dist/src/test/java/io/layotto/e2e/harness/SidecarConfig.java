package io.layotto.e2e.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a test sidecar serves, rendered as a Layotto-shaped {@code config.json} (MOSN servers →
 * listeners, the {@code grpc} network filter carrying {@code grpc_config}, and an actuator listener
 * with the {@code actuator_filter} stream filter), so the tests exercise the same reader users feed
 * their existing Layotto files to.
 */
public record SidecarConfig(String appId, Map<String, String> hellos, Map<String, StoreSpec> stateStores) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One {@code state} entry: the factory type and its metadata. */
  public record StoreSpec(String type, Map<String, String> metadata) {
    public StoreSpec {
      metadata = Map.copyOf(metadata);
    }
  }

  public SidecarConfig {
    hellos = unmodifiableCopy(hellos);
    stateStores = unmodifiableCopy(stateStores);
  }

  /** App {@code e2e-app}, the {@code helloworld} greeter, no stores yet. */
  public static SidecarConfig defaults() {
    return new SidecarConfig("e2e-app", Map.of("helloworld", "greeting"), Map.of());
  }

  public SidecarConfig withInMemoryStore(String name) {
    return withStateStore(name, "in-memory", Map.of());
  }

  public SidecarConfig withRedisStore(String name, int port) {
    return withStateStore(name, "redis", Map.of("redisHost", "127.0.0.1:" + port, "redisPassword", ""));
  }

  public SidecarConfig withStateStore(String name, String type, Map<String, String> metadata) {
    Map<String, StoreSpec> stores = new LinkedHashMap<>(stateStores);
    stores.put(name, new StoreSpec(type, metadata));
    return new SidecarConfig(appId, hellos, stores);
  }

  /** The config file text for these listener ports. */
  public String toJson(SidecarPorts ports) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode server = root.putArray("servers").addObject();
    server.put("default_log_path", "stdout");
    server.put("default_log_level", "INFO");
    server.putArray("routers").addObject().put("router_config_name", "actuator_dont_need_router");
    ArrayNode listeners = server.putArray("listeners");
    grpcListener(listeners.addObject(), ports.grpc());
    actuatorListener(listeners.addObject(), ports.actuator());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void grpcListener(ObjectNode listener, int port) {
    listener.put("name", "grpc");
    listener.put("address", "127.0.0.1:" + port);
    listener.put("bind_port", true);
    listener.put("network", "tcp");
    ObjectNode filter = listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    filter.put("type", "grpc");
    ObjectNode filterConfig = filter.putObject("config");
    filterConfig.put("server_name", "runtime");
    ObjectNode grpcConfig = filterConfig.putObject("grpc_config");
    ObjectNode hellosNode = grpcConfig.putObject("hellos");
    hellos.forEach((name, greeting) -> hellosNode.putObject(name).put("type", "helloworld").put("hello", greeting));
    ObjectNode state = grpcConfig.putObject("state");
    stateStores.forEach((name, spec) -> {
      ObjectNode store = state.putObject(name);
      store.put("type", spec.type());
      ObjectNode metadata = store.putObject("metadata");
      spec.metadata().forEach(metadata::put);
    });
    grpcConfig.putObject("app").put("app_id", appId);
  }

  private static void actuatorListener(ObjectNode listener, int port) {
    listener.put("name", "actuator");
    listener.put("address", "127.0.0.1:" + port);
    listener.put("bind_port", true);
    listener.put("network", "tcp");
    ObjectNode filter = listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    filter.put("type", "proxy");
    filter.putObject("config")
        .put("downstream_protocol", "Http1")
        .put("upstream_protocol", "Http1")
        .put("router_config_name", "actuator_dont_need_router");
    listener.putArray("stream_filters").addObject().put("type", "actuator_filter").putObject("config");
  }

  private static <V> Map<String, V> unmodifiableCopy(Map<String, V> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
