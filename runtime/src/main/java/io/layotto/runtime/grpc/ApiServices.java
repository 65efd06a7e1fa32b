package io.layotto.runtime.grpc;

import io.grpc.ServerServiceDefinition;
import io.layotto.runtime.component.LoadedComponents;
import java.util.List;

/**
 * The gRPC services the sidecar serves on its API listener: Layotto's
 * {@code spec.proto.runtime.v1.Runtime} and Dapr's {@code dapr.proto.runtime.v1.Dapr}, both over the
 * same components. The server (port, message size limit, drain) is built by the sidecar.
 */
public final class ApiServices {

  private ApiServices() {}

  /** Transitional: the services are being written on the grpcapi branch. */
  public static List<ServerServiceDefinition> definitions(LoadedComponents components) {
    return List.of();
  }
}
