package io.layotto.runtime.grpc;

import io.dapr.v1.DaprGrpc;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.dapr.DaprApiService;
import io.layotto.runtime.grpc.layotto.LayottoRuntimeService;
import io.layotto.runtime.grpc.state.StateApi;
import io.layotto.runtime.pubsub.PubSubServices;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import spec.proto.runtime.v1.RuntimeGrpc;

/**
 * The gRPC services the sidecar serves on its API listener: Layotto's
 * {@code spec.proto.runtime.v1.Runtime} and Dapr's {@code dapr.proto.runtime.v1.Dapr}, both over the
 * same components. The server (port, message size limit, drain) is built by the sidecar.
 *
 * <p>Most handlers call components synchronously and may block on backend I/O, so the server runs
 * them on an executor that tolerates blocking at high concurrency ({@link HandlerExecutor}). The
 * handlers of {@link #EVENT_LOOP_METHODS} never block: they call non-blocking components in place and
 * hand other components to the {@code blocking} executor, so the server may run them on its network
 * event loop and save two thread hand-offs per call.
 */
public final class ApiServices {

  /** Full names of the methods whose handlers never block the calling thread. */
  public static final Set<String> EVENT_LOOP_METHODS = Set.of(
      RuntimeGrpc.getGetStateMethod().getFullMethodName(),
      RuntimeGrpc.getSaveStateMethod().getFullMethodName(),
      RuntimeGrpc.getDeleteStateMethod().getFullMethodName(),
      RuntimeGrpc.getGetNextIdMethod().getFullMethodName(),
      RuntimeGrpc.getTryLockMethod().getFullMethodName(),
      RuntimeGrpc.getUnlockMethod().getFullMethodName(),
      RuntimeGrpc.getPublishEventMethod().getFullMethodName(),
      RuntimeGrpc.getSubscribeTopicEventsMethod().getFullMethodName(),
      DaprGrpc.getGetStateMethod().getFullMethodName(),
      DaprGrpc.getSaveStateMethod().getFullMethodName(),
      DaprGrpc.getDeleteStateMethod().getFullMethodName(),
      DaprGrpc.getPublishEventMethod().getFullMethodName(),
      DaprGrpc.getSubscribeTopicEventsAlpha1Method().getFullMethodName(),
      DaprGrpc.getTryLockAlpha1Method().getFullMethodName(),
      DaprGrpc.getUnlockAlpha1Method().getFullMethodName());

  private ApiServices() {}

  /**
   * Both services for a server that runs every handler on an executor that tolerates blocking:
   * components are called in place.
   *
   * @throws IllegalArgumentException when a state store's {@code keyPrefix} setting is unusable
   */
  public static List<ServerServiceDefinition> definitions(LoadedComponents components) {
    return definitions(components, Runnable::run);
  }

  /**
   * Both services, each behind {@link ErrorGuard}, for a server that may run the handlers of
   * {@link #EVENT_LOOP_METHODS} on its event loop.
   *
   * @param blocking where those handlers run calls of components that may block
   * @throws IllegalArgumentException when a state store's {@code keyPrefix} setting is unusable
   */
  public static List<ServerServiceDefinition> definitions(LoadedComponents components, Executor blocking) {
    StateApi state = new StateApi(components, blocking);
    PubSubServices pubSub = PubSubServices.over(components, blocking);
    ErrorGuard guard = new ErrorGuard();
    TraceHeaders trace = new TraceHeaders();
    return List.of(
        ServerInterceptors.intercept(LayottoRuntimeService.definition(components, state, pubSub, blocking),
            guard, trace),
        ServerInterceptors.intercept(DaprApiService.definition(components, state, pubSub, runtimeVersion(), blocking),
            guard, trace));
  }

  /** This build's version, from the filtered {@code version.properties}. */
  static String runtimeVersion() {
    Properties properties = new Properties();
    try (InputStream in = ApiServices.class.getResourceAsStream("/io/layotto/runtime/version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return properties.getProperty("version", "unknown");
  }
}
