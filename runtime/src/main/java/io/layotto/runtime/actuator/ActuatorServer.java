package io.layotto.runtime.actuator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.layotto.runtime.StartupException;
import io.layotto.runtime.Version;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.config.ListenerAddress;
import io.layotto.spi.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actuator listener (Layotto's {@code actuator_filter}): liveness, readiness and info as JSON.
 * Answers come from {@link RuntimeState} and the health monitor's cached results, never from a live
 * backend call. Health answers are 200 when UP and 503 when DOWN.
 */
public final class ActuatorServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ActuatorServer.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final HttpServer server;
  private final ExecutorService executor;
  private final RuntimeState state;

  private ActuatorServer(HttpServer server, ExecutorService executor, RuntimeState state) {
    this.server = server;
    this.executor = executor;
    this.state = state;
  }

  /**
   * Binds and starts serving.
   *
   * @throws StartupException when the address cannot be bound
   */
  public static ActuatorServer start(ListenerAddress address, RuntimeState state) {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
    } catch (IOException e) {
      throw new StartupException("cannot listen on " + address + " (actuator listener): " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "layotto-actuator-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    ActuatorServer actuator = new ActuatorServer(http, executor, state);
    http.createContext("/", actuator::handle);
    http.setExecutor(executor);
    http.start();
    return actuator;
  }

  /** The bound port (useful when configured with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(exchange, 405, Map.of("error", "method " + method + " not allowed; use GET"));
        return;
      }
      switch (path) {
        case "/actuator/health/liveness" -> health(exchange, liveness());
        case "/actuator/health/readiness" -> health(exchange, readiness());
        case "/actuator/info" -> send(exchange, 200, info());
        default -> send(exchange, 404, Map.of("error", "no actuator endpoint at " + path,
            "endpoints", List.of("/actuator/health/liveness", "/actuator/health/readiness", "/actuator/info")));
      }
    } catch (RuntimeException e) {
      log.warn("actuator request failed", e);
    }
  }

  private void health(HttpExchange exchange, Map<String, Object> report) throws IOException {
    send(exchange, "UP".equals(report.get("status")) ? 200 : 503, report);
  }

  /** Only the runtime itself: a dead backend is no reason to restart the sidecar. */
  Map<String, Object> liveness() {
    Map<String, Map<String, Object>> components = new LinkedHashMap<>();
    components.put("runtime_startup", runtimeStartup());
    return report(components);
  }

  Map<String, Object> readiness() {
    Map<String, Map<String, Object>> components = new LinkedHashMap<>();
    components.put("runtime_startup", runtimeStartup());
    HealthMonitor monitor = state.monitor();
    Map<String, Health> latest = monitor == null ? Map.of() : monitor.latest();
    for (ComponentInfo info : state.components()) {
      Health health = latest.get(info.name());
      if (health == null) {
        health = Health.down(state.phase() == RuntimeState.Phase.STARTING ? "initialising" : "not running");
      }
      components.put(info.name(), indicator(health.status().name(), info.type(), health.reason()));
    }
    return report(components);
  }

  private Map<String, Object> runtimeStartup() {
    return switch (state.phase()) {
      case STARTING -> indicator("DOWN", null, "starting");
      case SERVING -> indicator("UP", null, "");
      case STOPPING -> indicator("DOWN", null, "shutdown");
    };
  }

  private static Map<String, Object> indicator(String status, @Nullable String type, @Nullable String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (type != null) {
      details.put("type", type);
    }
    if (reason != null) {
      details.put("reason", reason);
    }
    Map<String, Object> indicator = new LinkedHashMap<>();
    indicator.put("status", status);
    indicator.put("details", details);
    return indicator;
  }

  private static Map<String, Object> report(Map<String, Map<String, Object>> components) {
    boolean up = components.values().stream().allMatch(c -> "UP".equals(c.get("status")));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("status", up ? "UP" : "DOWN");
    report.put("components", components);
    return report;
  }

  Map<String, Object> info() {
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("name", "Layotto");
    app.put("version", Version.current());
    app.put("app_id", state.appId());
    app.put("started", state.startedAt().toString());
    List<Map<String, Object>> components = new ArrayList<>();
    for (ComponentInfo info : state.components()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", info.name());
      c.put("kind", info.block().configSection());
      c.put("type", info.type());
      c.put("capabilities", new TreeSet<>(info.capabilities()));
      components.add(c);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("app", app);
    body.put("components", components);
    return body;
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      bytes = "{}".getBytes(StandardCharsets.UTF_8);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops at once: probes need no draining. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
