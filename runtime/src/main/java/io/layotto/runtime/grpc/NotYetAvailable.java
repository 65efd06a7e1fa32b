package io.layotto.runtime.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.util.Set;
import java.util.function.Function;

/**
 * Narrows a bound service to the rpcs this build implements: every other rpc, unary or streaming,
 * is answered at once with UNIMPLEMENTED and a message saying what is missing, instead of the
 * generated stubs' generic "Method ... is unimplemented". Doing it on the definition, not per
 * method, also covers rpcs added to the protos later.
 */
public final class NotYetAvailable {

  private NotYetAvailable() {}

  /**
   * @param implemented bare method names (e.g. {@code GetState}) served by {@code bound}
   * @param message the UNIMPLEMENTED description for a bare method name
   */
  public static ServerServiceDefinition restrict(ServerServiceDefinition bound, Set<String> implemented,
      Function<String, String> message) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(bound.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> method : bound.getMethods()) {
      String name = method.getMethodDescriptor().getBareMethodName();
      if (name != null && implemented.contains(name)) {
        builder.addMethod(method);
      } else {
        builder.addMethod(unimplemented(method, message.apply(String.valueOf(name))));
      }
    }
    return builder.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> unimplemented(ServerMethodDefinition<Q, R> method,
      String message) {
    return ServerMethodDefinition.create(method.getMethodDescriptor(), (call, headers) -> {
      call.close(Status.UNIMPLEMENTED.withDescription(message), new Metadata());
      return new ServerCall.Listener<>() {};
    });
  }
}
