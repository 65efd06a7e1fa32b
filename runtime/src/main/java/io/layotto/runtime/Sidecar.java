package io.layotto.runtime;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.layotto.runtime.actuator.ActuatorServer;
import io.layotto.runtime.actuator.HealthMonitor;
import io.layotto.runtime.actuator.RuntimeState;
import io.layotto.runtime.component.ComponentFactories;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.ComponentLoader;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.config.RuntimeConfig;
import io.layotto.runtime.grpc.ApiServices;
import io.layotto.runtime.grpc.HandlerExecutor;
import io.layotto.runtime.pubsub.AppCallbackDelivery;
import io.layotto.runtime.pubsub.DeliveryShutdown;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.Component;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sidecar: components, the gRPC API server and the actuator. Start-up order: check the
 * config against the factories (nothing connects yet), start the actuator (readiness DOWN), start
 * the components, start the gRPC server, then report ready. {@link #close()} reverses it with a
 * bounded drain of in-flight calls and pub/sub deliveries.
 */
public final class Sidecar implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
  private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
  /** Platform threads reused for handlers before a burst spills over to virtual threads. */
  private static final int HANDLER_THREADS = 64;
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);
  /** Lets streams just ended by the sidecar send their status even when the drain time is used up. */
  private static final Duration STREAM_CLOSE_GRACE = Duration.ofMillis(200);

  private final RuntimeConfig config;
  private final RuntimeState state;
  private final LoadedComponents components;
  private final Server server;
  private final ExecutorService handlers;
  private final EventLoops loops;
  private final HealthMonitor monitor;
  private final @Nullable ActuatorServer actuator;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private @Nullable AppCallbackDelivery appCallback;
  private boolean closed;

  private Sidecar(RuntimeConfig config, RuntimeState state, LoadedComponents components, Server server,
      ExecutorService handlers, EventLoops loops, HealthMonitor monitor, @Nullable ActuatorServer actuator) {
    this.config = config;
    this.state = state;
    this.components = components;
    this.server = server;
    this.handlers = handlers;
    this.loops = loops;
    this.monitor = monitor;
    this.actuator = actuator;
  }

  /**
   * Starts a sidecar serving {@link ApiServices} with the factories on the classpath.
   *
   * @throws StartupException with an operator-ready message; nothing is left running
   */
  public static Sidecar start(RuntimeConfig config) {
    return start(config, sidecar -> { });
  }

  /**
   * Like {@link #start(RuntimeConfig)}, handing the sidecar to {@code onServing} as soon as it serves
   * and before it logs that it listens (the CLI's shutdown hook needs it by then).
   */
  public static Sidecar start(RuntimeConfig config, Consumer<Sidecar> onServing) {
    return start(config, ComponentFactories.discover(Sidecar.class.getClassLoader()), ApiServices::definitions,
        onServing);
  }

  /** Starts a sidecar with the given factories and services (tests use their own). */
  public static Sidecar start(RuntimeConfig config, ComponentFactories factories,
      BiFunction<LoadedComponents, Executor, List<ServerServiceDefinition>> services) {
    return start(config, factories, services, sidecar -> { });
  }

  private static Sidecar start(RuntimeConfig config, ComponentFactories factories,
      BiFunction<LoadedComponents, Executor, List<ServerServiceDefinition>> services, Consumer<Sidecar> onServing) {
    log.info("Layotto for Java {} starting with {}", Version.current(), config.source());
    config.ignoredSettings().forEach(s -> log.debug("ignoring MOSN setting {}", s));
    config.warnings().forEach(log::warn);
    ComponentLoader loader = new ComponentLoader(factories);
    ComponentLoader.Plan plan = loader.plan(config);
    plan.warnings().forEach(log::warn);

    List<ComponentInfo> reported = new ArrayList<>(plan.infos());
    if (config.app().callbackPort() != 0) {
      // readiness shows whether the app's callback server is reachable
      reported.add(new ComponentInfo(AppCallbackDelivery.COMPONENT_NAME, BuildingBlock.PUBSUB, "grpc-app-callback",
          Set.of()));
    }
    RuntimeState state = new RuntimeState(config.app().appId(), reported);
    ActuatorServer actuator = null;
    AppCallbackDelivery appCallback = null;
    LoadedComponents components = null;
    ExecutorService handlers = null;
    EventLoops loops = null;
    try {
      if (config.actuatorAddress() != null) {
        actuator = ActuatorServer.start(config.actuatorAddress(), state);
      }
      try {
        loops = EventLoops.create();
      } catch (IllegalArgumentException e) {
        throw new StartupException(e.getMessage(), e);
      }
      components = loader.start(plan, loops.group());
      for (ComponentInfo info : components.infos()) {
        log.info("component '{}': building block {}, type {}, capabilities {}", info.name(),
            info.block().configSection(), info.type(), new TreeSet<>(info.capabilities()));
      }
      config.hellos().values().forEach(h -> log.info("component '{}': building block hellos, type {}",
          h.name(), h.type()));

      handlers = HandlerExecutor.create(HANDLER_THREADS);
      List<ServerServiceDefinition> definitions;
      try {
        definitions = services.apply(components, handlers);
      } catch (IllegalArgumentException e) {
        throw new StartupException("cannot set up the gRPC API: " + e.getMessage(), e);
      }
      // Calls start on the event loop (a direct executor); all but the non-blocking methods then
      // move to the handler threads before their handler runs. The loops are the ones the
      // components share, so a non-blocking call can stay on its loop from request to response.
      ExecutorService blockingHandlers = handlers;
      NettyServerBuilder builder = NettyServerBuilder.forAddress(config.grpcAddress().toSocketAddress())
          .bossEventLoopGroup(loops.group())
          .workerEventLoopGroup(loops.group())
          .channelType(loops.serverChannelType())
          .directExecutor()
          .callExecutor(new io.grpc.ServerCallExecutorSupplier() {
            @Override
            public <Q, R> @Nullable Executor getExecutor(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers) {
              return ApiServices.EVENT_LOOP_METHODS.contains(call.getMethodDescriptor().getFullMethodName())
                  ? null : blockingHandlers;
            }
          })
          .maxInboundMessageSize(config.maxInboundMessageSize());
      definitions.forEach(builder::addService);
      Server server = builder.build();
      try {
        server.start();
      } catch (IOException e) {
        throw new StartupException("cannot listen on " + config.grpcAddress() + " (grpc listener '"
            + config.grpcListenerName() + "'): " + e.getMessage(), e);
      }
      Map<String, Component> checked = new LinkedHashMap<>(components.all());
      if (config.app().callbackPort() != 0) {
        appCallback = AppCallbackDelivery.start(config.app().callbackHost(), config.app().callbackPort(), components,
            loops);
        checked.put(AppCallbackDelivery.COMPONENT_NAME, appCallback);
      }
      HealthMonitor monitor = new HealthMonitor(checked, HEALTH_INTERVAL, HEALTH_TIMEOUT).start();
      Sidecar sidecar = new Sidecar(config, state, components, server, handlers, loops, monitor, actuator);
      sidecar.appCallback = appCallback;
      state.serving(monitor);
      onServing.accept(sidecar);
      log.info("gRPC API listening on {} (listener '{}', services {}, max message {} bytes, {} event loops)",
          config.grpcAddress().display(sidecar.grpcPort()), config.grpcListenerName(),
          definitions.stream().map(d -> d.getServiceDescriptor().getName()).toList(),
          config.maxInboundMessageSize(), loops.describe());
      if (actuator != null) {
        log.info("actuator listening on http://{}/actuator (health/liveness, health/readiness, info)",
            config.actuatorAddress().display(actuator.port()));
      } else {
        log.info("no actuator listener configured (no listener with an actuator_filter)");
      }
      return sidecar;
    } catch (RuntimeException e) {
      if (appCallback != null) {
        appCallback.close();
      }
      if (handlers != null) {
        handlers.shutdownNow();
      }
      if (components != null) {
        components.close();
      }
      if (loops != null) {
        loops.close();
      }
      if (actuator != null) {
        actuator.close();
      }
      throw e;
    }
  }

  /** The port the gRPC API is bound to (the configured one, or the one picked for port 0). */
  public int grpcPort() {
    return server.getPort();
  }

  /** The actuator's bound port; empty when no actuator listener is configured. */
  public OptionalInt actuatorPort() {
    return actuator == null ? OptionalInt.empty() : OptionalInt.of(actuator.port());
  }

  /** Delivery to the app's callback server; empty when {@code app.grpc_callback_port} is not set. */
  public java.util.Optional<AppCallbackDelivery> appCallback() {
    return java.util.Optional.ofNullable(appCallback);
  }

  public LoadedComponents components() {
    return components;
  }

  public RuntimeConfig config() {
    return config;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /**
   * Graceful stop, bounded by the drain timeout as a whole: readiness goes DOWN, new calls are
   * refused and no new pub/sub message goes to the app; unary calls and deliveries already handed
   * to the app (callback or stream) may finish, a SUCCESS answer is acked. Then streaming
   * subscriptions end with UNAVAILABLE and every subscription closes (unanswered messages stay unacked
   * for the broker to redeliver), calls still running are cancelled, and only then the app
   * connection, the components and the actuator close. Idempotent; a second caller waits for the
   * first to finish.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        try {
          terminated.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      closed = true;
    }
    DeliveryShutdown deliveries = components.deliveries();
    try {
      state.stopping();
      Duration drain = config.drainTimeout();
      long deadline = System.nanoTime() + drain.toNanos();
      server.shutdown();
      deliveries.stopIntake();
      int inFlight = deliveries.inFlight();
      log.info("shutting down: draining in-flight calls{} for up to {} ms",
          inFlight == 0 ? "" : " and " + inFlight + " pub/sub deliveries awaiting the app's answer", drain.toMillis());
      if (!deliveries.awaitInFlight(deadline)) {
        log.warn("{} pub/sub deliveries still unanswered after {} ms; left unacked for the broker to redeliver",
            deliveries.inFlight(), drain.toMillis());
      }
      deliveries.stop();
      long left = Math.max(0, deadline - System.nanoTime());
      if (!server.awaitTermination(Math.max(left, STREAM_CLOSE_GRACE.toNanos()), TimeUnit.NANOSECONDS)) {
        log.warn("calls still running after {} ms; cancelling them", drain.toMillis());
        server.shutdownNow();
        server.awaitTermination(CANCEL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deliveries.stop();
      server.shutdownNow();
    } finally {
      // Handlers of cancelled calls may still be blocked in a backend call: interrupt them.
      handlers.shutdownNow();
      monitor.close();
      if (appCallback != null) {
        appCallback.close();
      }
      components.close();
      loops.close();
      if (actuator != null) {
        actuator.close();
      }
      log.info("stopped");
      terminated.countDown();
    }
  }
}
