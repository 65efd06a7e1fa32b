package io.layotto.runtime.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.layotto.runtime.config.ConfigException.Problem;
import io.layotto.spi.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads Layotto's config file: a MOSN config whose {@code grpc} network filter carries
 * {@code grpc_config}. Only the shape is checked here (component types and metadata are checked
 * against the factories by the component loader); every problem found is reported at once.
 */
public final class ConfigLoader {

  /** The embedded default, itself a Layotto-style config. */
  public static final String DEFAULT_RESOURCE = "io/layotto/runtime/config/default-config.json";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** MOSN top-level keys that mean nothing to this runtime. */
  private static final Set<String> MOSN_TOP_LEVEL = Set.of("cluster_manager", "dynamic_resources",
      "static_resources", "tracing", "metrics", "pprof", "admin", "pid", "uds_dir", "plugin",
      "third_part_codec", "extends", "wasm_global_plugins", "close_graceful", "inherit_old_mosnconfig",
      "service_registry");

  /** grpc_config sections of building blocks this runtime does not serve yet. */
  private static final Set<String> UNSUPPORTED_SECTIONS = Set.of("file", "oss",
      "secret_store", "bindings", "rpcs", "custom_component", "extends", "cryption", "email", "phone", "sms");

  private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

  private ConfigLoader() {}

  /** Reads and checks a config file. */
  public static RuntimeConfig load(Path file) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "$", "file not found (working directory "
          + Path.of("").toAbsolutePath() + ")");
    } catch (IOException e) {
      throw new ConfigException(source, "$", "cannot read the file: " + e.getMessage());
    }
    return parse(source, text);
  }

  /** The built-in default: gRPC on 127.0.0.1:34904, actuator on 127.0.0.1:34999, in-memory state. */
  public static RuntimeConfig loadDefault() {
    String source = "built-in default config (classpath:" + DEFAULT_RESOURCE + ")";
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new ConfigException(source, "$", "resource missing from the classpath");
      }
      return parse(source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(source, "$", "cannot read the resource: " + e.getMessage());
    }
  }

  /**
   * Parses config text.
   *
   * @param source where the text came from, named in every error
   */
  public static RuntimeConfig parse(String source, String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(source, "$", "malformed JSON" + where + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new ConfigException(source, "$", "the file is empty; expected a JSON object with \"servers\"");
    }
    return new Parser(source).parse(root);
  }

  /** {@code path.key}, or {@code path['odd key']} when the key is not a plain identifier. */
  static String child(String path, String key) {
    return SIMPLE_KEY.matcher(key).matches() ? path + "." + key : path + "['" + key.replace("'", "\\'") + "']";
  }

  /** One parse: collects problems and warnings, then builds the config or throws them all. */
  private static final class Parser {
    private final String source;
    private final List<Problem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> ignored = new ArrayList<>();

    private @Nullable String grpcListenerName;
    private @Nullable String grpcListenerPath;
    private @Nullable ListenerAddress grpcAddress;
    private @Nullable JsonNode grpcConfig;
    private @Nullable String grpcConfigPath;
    private int maxInboundMessageSize = RuntimeConfig.DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private @Nullable String actuatorListenerPath;
    private @Nullable ListenerAddress actuatorAddress;
    private Duration drainTimeout = RuntimeConfig.DEFAULT_DRAIN_TIMEOUT;

    Parser(String source) {
      this.source = source;
    }

    RuntimeConfig parse(JsonNode root) {
      if (!isObject(root, "$")) {
        throw failure();
      }
      for (Map.Entry<String, JsonNode> e : root.properties()) {
        String key = e.getKey();
        if (key.equals("servers")) {
          continue;
        }
        if (MOSN_TOP_LEVEL.contains(key)) {
          ignored.add("$." + key);
        } else {
          warnings.add("unknown top-level key '" + key + "' ignored");
        }
      }
      JsonNode servers = root.get("servers");
      if (servers == null || servers.isNull()) {
        problems.add(new Problem("$.servers", "missing; expected an array of servers with listeners"));
      } else if (isArray(servers, "$.servers")) {
        for (int i = 0; i < servers.size(); i++) {
          server(servers.get(i), "$.servers[" + i + "]");
        }
      }
      if (problems.isEmpty() && grpcAddress == null) {
        problems.add(new Problem("$.servers[*].listeners", "no listener has a 'grpc' network filter; "
            + "the sidecar needs one: {\"type\":\"grpc\",\"config\":{\"server_name\":\"runtime\",\"grpc_config\":{...}}}"));
      }
      // Look inside grpc_config even when the listeners had problems, so one run reports them all.
      RuntimeConfig config = grpcConfig == null ? null
          : grpcConfig(grpcConfig, requireNonNull(grpcConfigPath));
      if (!problems.isEmpty() || config == null) {
        throw failure();
      }
      return config;
    }

    private void server(JsonNode server, String path) {
      if (!isObject(server, path)) {
        return;
      }
      for (Map.Entry<String, JsonNode> e : server.properties()) {
        switch (e.getKey()) {
          case "listeners" -> { }
          case "graceful_timeout" -> gracefulTimeout(e.getValue(), path + ".graceful_timeout");
          default -> ignored.add(path + "." + e.getKey());
        }
      }
      JsonNode listeners = server.get("listeners");
      if (listeners == null || listeners.isNull() || !isArray(listeners, path + ".listeners")) {
        return;
      }
      for (int i = 0; i < listeners.size(); i++) {
        listener(listeners.get(i), path + ".listeners[" + i + "]");
      }
    }

    private void gracefulTimeout(JsonNode value, String path) {
      Duration parsed = value.isTextual() ? Durations.parse(value.asText(), ChronoUnit.SECONDS)
          : value.canConvertToLong() ? Duration.ofSeconds(value.asLong()) : null;
      if (parsed == null) {
        problems.add(new Problem(path, "is " + value + ", expected a duration such as \"10s\" or \"1m\""));
      } else {
        drainTimeout = parsed;
      }
    }

    private void listener(JsonNode listener, String path) {
      if (!isObject(listener, path)) {
        return;
      }
      String name = listener.path("name").asText("");
      List<JsonNode> grpcFilters = new ArrayList<>();
      List<String> grpcFilterPaths = new ArrayList<>();
      List<String> otherFilters = new ArrayList<>();
      JsonNode chains = listener.get("filter_chains");
      if (chains != null && !chains.isNull() && isArray(chains, path + ".filter_chains")) {
        for (int c = 0; c < chains.size(); c++) {
          String chainPath = path + ".filter_chains[" + c + "]";
          JsonNode filters = chains.get(c).get("filters");
          if (filters == null || filters.isNull() || !isArray(filters, chainPath + ".filters")) {
            continue;
          }
          for (int f = 0; f < filters.size(); f++) {
            String filterPath = chainPath + ".filters[" + f + "]";
            String type = filters.get(f).path("type").asText("");
            if (type.equals("grpc")) {
              grpcFilters.add(filters.get(f));
              grpcFilterPaths.add(filterPath);
            } else {
              otherFilters.add(type.isEmpty() ? "(untyped)" : type);
            }
          }
        }
      }
      List<String> streamFilters = new ArrayList<>();
      JsonNode streams = listener.get("stream_filters");
      if (streams != null && !streams.isNull() && isArray(streams, path + ".stream_filters")) {
        for (JsonNode s : streams) {
          streamFilters.add(s.path("type").asText(""));
        }
      }
      boolean actuator = streamFilters.contains("actuator_filter");
      String label = "listener '" + name + "' (" + path + ")";

      if (!grpcFilters.isEmpty() && actuator) {
        problems.add(new Problem(path + ".stream_filters", "the actuator_filter must be on its own listener, "
            + "not on the grpc listener"));
        return;
      }
      if (!grpcFilters.isEmpty()) {
        if (grpcFilters.size() > 1) {
          problems.add(new Problem(grpcFilterPaths.get(1), "a listener may have only one grpc filter"));
          return;
        }
        if (grpcListenerPath != null) {
          problems.add(new Problem(grpcFilterPaths.getFirst(), "a second grpc listener is not supported; "
              + "the first one is " + grpcListenerPath));
          return;
        }
        grpcListenerPath = path;
        grpcListenerName = name;
        grpcAddress = address(listener, path);
        grpcFilter(grpcFilters.getFirst(), grpcFilterPaths.getFirst());
        if (!otherFilters.isEmpty()) {
          warnings.add(label + ": network filters " + otherFilters + " are not supported and ignored");
        }
        if (!streamFilters.isEmpty()) {
          warnings.add(label + ": stream filters " + streamFilters + " are not supported and ignored");
        }
      } else if (actuator) {
        if (actuatorListenerPath != null) {
          problems.add(new Problem(path + ".stream_filters", "a second actuator listener is not supported; "
              + "the first one is " + actuatorListenerPath));
          return;
        }
        actuatorListenerPath = path;
        actuatorAddress = address(listener, path);
      } else {
        warnings.add(label + " at " + listener.path("address").asText("?")
            + " is ignored: it has neither a grpc filter nor an actuator_filter");
      }
    }

    private @Nullable ListenerAddress address(JsonNode listener, String path) {
      JsonNode network = listener.get("network");
      if (network != null && !network.isNull()) {
        String n = network.asText();
        if (n.equals("unix")) {
          problems.add(new Problem(path + ".network", "'unix' (Unix domain socket listeners) is not supported yet; "
              + "allowed: tcp"));
          return null;
        }
        if (!Set.of("", "tcp", "tcp4", "tcp6").contains(n)) {
          problems.add(new Problem(path + ".network", "unknown network '" + n + "'; allowed: tcp"));
          return null;
        }
      }
      JsonNode address = listener.get("address");
      if (address == null || address.isNull()) {
        problems.add(new Problem(path + ".address", "missing; expected \"host:port\" such as \"127.0.0.1:34904\""));
        return null;
      }
      ListenerAddress parsed = address.isTextual() ? ListenerAddress.parse(address.asText()) : null;
      if (parsed == null) {
        problems.add(new Problem(path + ".address", "is " + address + ", expected \"host:port\" such as "
            + "\"127.0.0.1:34904\" or \"0.0.0.0:34904\" (port 0..65535)"));
      }
      return parsed;
    }

    private void grpcFilter(JsonNode filter, String path) {
      JsonNode config = filter.get("config");
      String configPath = path + ".config";
      if (config == null || config.isNull()) {
        problems.add(new Problem(configPath, "missing; expected {\"server_name\":\"runtime\",\"grpc_config\":{...}}"));
        return;
      }
      if (!isObject(config, configPath)) {
        return;
      }
      JsonNode serverName = config.get("server_name");
      if (serverName != null && !serverName.isNull() && !serverName.asText().equals("runtime")) {
        problems.add(new Problem(configPath + ".server_name", "is " + serverName + "; allowed: \"runtime\""));
      }
      JsonNode maxSize = config.get("max_recv_msg_size");
      if (maxSize != null && !maxSize.isNull()) {
        long size = maxSize.canConvertToLong() ? maxSize.asLong()
            : maxSize.isTextual() && maxSize.asText().matches("\\d{1,10}") ? Long.parseLong(maxSize.asText()) : -1;
        if (size < 1 || size > Integer.MAX_VALUE) {
          problems.add(new Problem(configPath + ".max_recv_msg_size", "is " + maxSize
              + ", expected a number of bytes between 1 and " + Integer.MAX_VALUE));
        } else {
          maxInboundMessageSize = (int) size;
        }
      }
      JsonNode grpc = config.get("grpc_config");
      String grpcPath = configPath + ".grpc_config";
      if (grpc == null || grpc.isNull()) {
        problems.add(new Problem(grpcPath, "missing; expected the component configuration object"));
        return;
      }
      if (isObject(grpc, grpcPath)) {
        grpcConfig = grpc;
        grpcConfigPath = grpcPath;
      }
    }

    /** Reads the sections; null when a problem was found (they are in {@code problems}). */
    private @Nullable RuntimeConfig grpcConfig(JsonNode grpc, String path) {
      AppConfig app = AppConfig.NONE;
      Map<String, HelloConfig> hellos = new LinkedHashMap<>();
      Map<String, ComponentConfig> state = new LinkedHashMap<>();
      Map<String, ComponentConfig> pubSubs = new LinkedHashMap<>();
      Map<String, ComponentConfig> locks = new LinkedHashMap<>();
      Map<String, SequencerConfig> sequencers = new LinkedHashMap<>();
      Map<String, ComponentConfig> configStores = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : grpc.properties()) {
        String section = e.getKey();
        JsonNode value = e.getValue();
        String sectionPath = child(path, section);
        switch (section) {
          case "app" -> app = app(value, sectionPath);
          case "hellos" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            if (hasText(entry, "type", entryPath)) {
              JsonNode hello = entry.get("hello");
              if (hello != null && !hello.isNull() && !hello.isTextual()) {
                problems.add(new Problem(entryPath + ".hello", "is " + hello + ", expected a string"));
              }
              hellos.put(name, new HelloConfig(name, entry.get("type").asText(),
                  hello == null ? "" : hello.asText(""), entryPath));
            }
          });
          case "state" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            ComponentConfig component = component(name, entry, entryPath, "state");
            if (component != null) {
              state.put(name, component);
            }
          });
          case "pub_subs" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            ComponentConfig component = component(name, entry, entryPath, "pub_subs");
            if (component != null) {
              pubSubs.put(name, component);
            }
          });
          case "lock" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            ComponentConfig component = component(name, entry, entryPath, "lock");
            if (component != null) {
              locks.put(name, component);
            }
          });
          case "sequencer" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            ComponentConfig component = component(name, entry, entryPath, "sequencer");
            Map<String, Long> biggerThan = biggerThan(entry.get("biggerThan"), entryPath + ".biggerThan");
            if (component != null) {
              sequencers.put(name, new SequencerConfig(component, biggerThan));
            }
          });
          case "config_store" -> entries(value, sectionPath, (name, entry, entryPath) -> {
            ComponentConfig component = configStore(name, entry, entryPath);
            if (component != null) {
              configStores.put(name, component);
            }
          });
          default -> {
            if (UNSUPPORTED_SECTIONS.contains(section)) {
              if (!(value.isObject() && value.isEmpty()) && !value.isNull()) {
                List<String> names = new ArrayList<>();
                value.fieldNames().forEachRemaining(names::add);
                warnings.add("grpc_config." + section + " " + names + ": the " + section
                    + " building block is not yet supported; these components are not started");
              }
            } else {
              warnings.add("unknown grpc_config section '" + section + "' (" + sectionPath + ") ignored");
            }
          }
        }
      }
      if (!problems.isEmpty()) {
        return null;
      }
      return new RuntimeConfig(source, requireNonNull(grpcListenerName), requireNonNull(grpcAddress), path,
          actuatorAddress, maxInboundMessageSize, drainTimeout, app, hellos, state, pubSubs, locks, sequencers,
          configStores, warnings, ignored);
    }

    /** Layotto's {@code biggerThan}: key to an int64, as a JSON number or a string of digits. */
    private Map<String, Long> biggerThan(@Nullable JsonNode node, String path) {
      Map<String, Long> values = new LinkedHashMap<>();
      if (node == null || node.isNull() || !isObject(node, path)) {
        return values;
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        JsonNode v = e.getValue();
        String valuePath = child(path, e.getKey());
        Long parsed = null;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          parsed = v.asLong();
        } else if (v.isTextual() && v.asText().trim().matches("-?\\d{1,19}")) {
          try {
            parsed = Long.parseLong(v.asText().trim());
          } catch (NumberFormatException tooBig) {
            parsed = null;
          }
        }
        if (e.getKey().isEmpty()) {
          problems.add(new Problem(valuePath, "an empty key; expected the sequencer key the value applies to"));
        } else if (parsed == null) {
          problems.add(new Problem(valuePath, "is " + describe(v) + ", expected an integer from "
              + Long.MIN_VALUE + " to " + Long.MAX_VALUE + " (every id of the key will be greater)"));
        } else {
          values.put(e.getKey(), parsed);
        }
      }
      return values;
    }

    private AppConfig app(JsonNode app, String path) {
      if (app.isNull() || !isObject(app, path)) {
        return AppConfig.NONE;
      }
      String appId = "";
      JsonNode id = app.get("app_id");
      if (id != null && !id.isNull()) {
        if (id.isTextual()) {
          appId = id.asText();
        } else {
          problems.add(new Problem(path + ".app_id", "is " + id + ", expected a string"));
        }
      }
      int port = 0;
      JsonNode p = app.get("grpc_callback_port");
      if (p != null && !p.isNull()) {
        if (p.canConvertToInt() && p.asInt() >= 0 && p.asInt() <= 65535 && p.isIntegralNumber()) {
          port = p.asInt();
        } else {
          problems.add(new Problem(path + ".grpc_callback_port", "is " + p + ", expected a port number 0..65535"));
        }
      }
      String host = app.path("grpc_callback_host").asText("");
      JsonNode h = app.get("grpc_callback_host");
      if (h != null && !h.isNull() && !h.isTextual()) {
        problems.add(new Problem(path + ".grpc_callback_host", "is " + h + ", expected a host name or address"));
      }
      return new AppConfig(appId, port, host.isBlank() ? "127.0.0.1" : host);
    }

    private @Nullable ComponentConfig component(String name, JsonNode entry, String path, String section) {
      if (!hasText(entry, "type", path)) {
        return null;
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      JsonNode md = entry.get("metadata");
      String mdPath = path + ".metadata";
      if (md != null && !md.isNull() && isObject(md, mdPath)) {
        for (Map.Entry<String, JsonNode> m : md.properties()) {
          JsonNode v = m.getValue();
          if (v.isValueNode() && !v.isNull()) {
            metadata.put(m.getKey(), v.asText());
          } else if (!v.isNull()) {
            problems.add(new Problem(child(mdPath, m.getKey()), "is " + v.getNodeType().name().toLowerCase(Locale.ROOT)
                + ", expected a string (metadata values are strings)"));
          }
        }
      }
      for (String ref : List.of("secret_ref", "component_ref")) {
        JsonNode r = entry.get(ref);
        if (r != null && !r.isNull() && !r.isEmpty()) {
          warnings.add(section + " '" + name + "': " + ref + " is not yet supported and ignored");
        }
      }
      return new ComponentConfig(name, entry.get("type").asText(), metadata, path);
    }

    /**
     * A {@code config_store} entry: Layotto keeps {@code address} (a list of endpoints) and
     * {@code timeout} (seconds) beside the metadata; they are folded into it as {@code address}
     * (comma-separated) and {@code timeout}. {@code store_name} and {@code app_id} are set by the
     * runtime in Layotto too (component name, {@code app.app_id}) and are ignored.
     */
    private @Nullable ComponentConfig configStore(String name, JsonNode entry, String path) {
      ComponentConfig component = component(name, entry, path, "config_store");
      if (component == null) {
        return null;
      }
      Map<String, String> metadata = new LinkedHashMap<>(component.metadata());
      JsonNode address = entry.get("address");
      if (address != null && !address.isNull()) {
        List<String> endpoints = new ArrayList<>();
        if (address.isTextual()) {
          endpoints.add(address.asText());
        } else if (address.isArray()) {
          for (int i = 0; i < address.size(); i++) {
            JsonNode a = address.get(i);
            if (a.isTextual() && !a.asText().isBlank()) {
              endpoints.add(a.asText().trim());
            } else {
              problems.add(new Problem(path + ".address[" + i + "]", "is " + describe(a)
                  + ", expected a non-empty string such as \"127.0.0.1:2379\""));
            }
          }
        } else {
          problems.add(new Problem(path + ".address", "is " + describe(address)
              + ", expected an array of endpoints such as [\"127.0.0.1:2379\"]"));
        }
        fold(metadata, "address", String.join(",", endpoints), path);
      }
      JsonNode timeout = entry.get("timeout");
      if (timeout != null && !timeout.isNull()) {
        if (timeout.isTextual() || timeout.isNumber()) {
          fold(metadata, "timeout", timeout.asText(), path);
        } else {
          problems.add(new Problem(path + ".timeout", "is " + describe(timeout)
              + ", expected a number of seconds such as \"10\""));
        }
      }
      return new ComponentConfig(component.name(), component.type(), metadata, component.path());
    }

    private void fold(Map<String, String> metadata, String key, String value, String path) {
      String previous = metadata.putIfAbsent(key, value);
      if (previous != null && !previous.equals(value)) {
        problems.add(new Problem(path + "." + key, "is set both beside and inside metadata ('" + previous
            + "'); keep one"));
      }
    }

    private interface EntryHandler {
      void entry(String name, JsonNode entry, String path);
    }

    private void entries(JsonNode section, String path, EntryHandler handler) {
      if (section.isNull() || !isObject(section, path)) {
        return;
      }
      for (Map.Entry<String, JsonNode> e : section.properties()) {
        String entryPath = child(path, e.getKey());
        if (e.getKey().isBlank()) {
          problems.add(new Problem(entryPath, "a component name must not be empty"));
        } else if (isObject(e.getValue(), entryPath)) {
          handler.entry(e.getKey(), e.getValue(), entryPath);
        }
      }
    }

    private boolean hasText(JsonNode object, String key, String path) {
      JsonNode v = object.get(key);
      if (v == null || v.isNull()) {
        problems.add(new Problem(path + "." + key, "missing"));
        return false;
      }
      if (!v.isTextual() || v.asText().isBlank()) {
        problems.add(new Problem(path + "." + key, "is " + v + ", expected a non-empty string"));
        return false;
      }
      return true;
    }

    private boolean isObject(JsonNode node, String path) {
      if (node.isObject()) {
        return true;
      }
      problems.add(new Problem(path, "is " + describe(node) + ", expected a JSON object"));
      return false;
    }

    private boolean isArray(JsonNode node, String path) {
      if (node.isArray()) {
        return true;
      }
      problems.add(new Problem(path, "is " + describe(node) + ", expected a JSON array"));
      return false;
    }

    private static String describe(JsonNode node) {
      return switch (node.getNodeType()) {
        case OBJECT -> "an object";
        case ARRAY -> "an array";
        case STRING -> "the string " + node;
        case NUMBER -> "the number " + node;
        case BOOLEAN -> node.asText();
        case NULL -> "null";
        default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
      };
    }

    private ConfigException failure() {
      return new ConfigException(source, problems);
    }

    private static <T> T requireNonNull(@Nullable T value) {
      if (value == null) {
        throw new IllegalStateException("parser invariant broken");
      }
      return value;
    }
  }
}
