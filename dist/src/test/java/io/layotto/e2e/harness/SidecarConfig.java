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
public record SidecarConfig(String appId, int appCallbackPort, Map<String, String> hellos,
    Map<String, Map<String, StoreSpec>> sections) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One component entry of a {@code grpc_config} section: the factory type, its metadata and (for
   * sequencers) Layotto's {@code biggerThan}.
   */
  public record StoreSpec(String type, Map<String, String> metadata, Map<String, Long> biggerThan) {
    public StoreSpec {
      metadata = Map.copyOf(metadata);
      biggerThan = Map.copyOf(biggerThan);
    }

    public StoreSpec(String type, Map<String, String> metadata) {
      this(type, metadata, Map.of());
    }
  }

  public SidecarConfig {
    hellos = unmodifiableCopy(hellos);
    Map<String, Map<String, StoreSpec>> copy = new LinkedHashMap<>();
    sections.forEach((section, components) -> copy.put(section, unmodifiableCopy(components)));
    sections = java.util.Collections.unmodifiableMap(copy);
  }

  /** App {@code e2e-app}, the {@code helloworld} greeter, no components and no callback yet. */
  public static SidecarConfig defaults() {
    return new SidecarConfig("e2e-app", 0, Map.of("helloworld", "greeting"), Map.of());
  }

  /** The {@code state} section. */
  public Map<String, StoreSpec> stateStores() {
    return sections.getOrDefault("state", Map.of());
  }

  public SidecarConfig withAppId(String id) {
    return new SidecarConfig(id, appCallbackPort, hellos, sections);
  }

  /** {@code app.grpc_callback_port}: the port of the app's callback server (0 = none). */
  public SidecarConfig withAppCallbackPort(int port) {
    return new SidecarConfig(appId, port, hellos, sections);
  }

  public SidecarConfig withPubSub(String name, String type, Map<String, String> metadata) {
    return withComponent("pub_subs", name, type, metadata);
  }

  public SidecarConfig withInMemoryStore(String name) {
    return withStateStore(name, "in-memory", Map.of());
  }

  public SidecarConfig withRedisStore(String name, int port) {
    return withStateStore(name, "redis", Map.of("redisHost", "127.0.0.1:" + port, "redisPassword", ""));
  }

  public SidecarConfig withStateStore(String name, String type, Map<String, String> metadata) {
    return withComponent("state", name, type, metadata);
  }

  /** Adds a {@code sequencer} component with Layotto's {@code biggerThan} (key to value). */
  public SidecarConfig withSequencer(String name, String type, Map<String, String> metadata,
      Map<String, Long> biggerThan) {
    Map<String, Map<String, StoreSpec>> copy = new LinkedHashMap<>(sections);
    Map<String, StoreSpec> components = new LinkedHashMap<>(copy.getOrDefault("sequencer", Map.of()));
    components.put(name, new StoreSpec(type, metadata, biggerThan));
    copy.put("sequencer", components);
    return new SidecarConfig(appId, appCallbackPort, hellos, copy);
  }

  /** Adds a component to a {@code grpc_config} section ({@code state}, {@code pub_subs}, {@code lock}, ...). */
  public SidecarConfig withComponent(String section, String name, String type, Map<String, String> metadata) {
    Map<String, Map<String, StoreSpec>> copy = new LinkedHashMap<>(sections);
    Map<String, StoreSpec> components = new LinkedHashMap<>(copy.getOrDefault(section, Map.of()));
    components.put(name, new StoreSpec(type, metadata));
    copy.put(section, components);
    return new SidecarConfig(appId, appCallbackPort, hellos, copy);
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
    sections.forEach((section, components) -> {
      ObjectNode sectionNode = grpcConfig.putObject(section);
      components.forEach((name, spec) -> {
        ObjectNode component = sectionNode.putObject(name);
        component.put("type", spec.type());
        ObjectNode metadata = component.putObject("metadata");
        spec.metadata().forEach(metadata::put);
        if (!spec.biggerThan().isEmpty()) {
          ObjectNode biggerThan = component.putObject("biggerThan");
          spec.biggerThan().forEach(biggerThan::put);
        }
      });
    });
    ObjectNode app = grpcConfig.putObject("app").put("app_id", appId);
    if (appCallbackPort > 0) {
      app.put("grpc_callback_port", appCallbackPort);
    }
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
