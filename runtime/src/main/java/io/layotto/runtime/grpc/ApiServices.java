package io.layotto.runtime.grpc;

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

/**
 * The gRPC services the sidecar serves on its API listener: Layotto's
 * {@code spec.proto.runtime.v1.Runtime} and Dapr's {@code dapr.proto.runtime.v1.Dapr}, both over the
 * same components. The server (port, message size limit, drain) is built by the sidecar.
 *
 * <p>Handlers call components synchronously and may block on backend I/O, so the server should run
 * them on an executor that tolerates blocking at high concurrency ({@link HandlerExecutor}).
 */
public final class ApiServices {

  private ApiServices() {}

  /**
   * Both services, each behind {@link ErrorGuard}.
   *
   * @throws IllegalArgumentException when a state store's {@code keyPrefix} setting is unusable
   */
  public static List<ServerServiceDefinition> definitions(LoadedComponents components) {
    StateApi state = new StateApi(components);
    PubSubServices pubSub = PubSubServices.over(components);
    ErrorGuard guard = new ErrorGuard();
    TraceHeaders trace = new TraceHeaders();
    return List.of(
        ServerInterceptors.intercept(LayottoRuntimeService.definition(components, state, pubSub), guard, trace),
        ServerInterceptors.intercept(DaprApiService.definition(components, state, pubSub, runtimeVersion()), guard,
            trace));
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
