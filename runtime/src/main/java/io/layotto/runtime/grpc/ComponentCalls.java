package io.layotto.runtime.grpc;

import io.grpc.StatusRuntimeException;
import io.layotto.spi.ComponentException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Component calls for the handlers that run on the gRPC event loop ({@link
 * ApiServices#EVENT_LOOP_METHODS}): a component with the non-blocking variant of the building
 * block's interface is called in place, any other on the executor for blocking work.
 */
public final class ComponentCalls {

  private ComponentCalls() {}

  /**
   * @param nonBlockingType the building block's non-blocking interface, e.g. {@code NonBlockingStateStore}
   * @param context what was attempted and on which component, for the status of a failure (only
   *     evaluated on failure, keeping the hot path free of string building)
   * @return a future that fails with a {@link StatusRuntimeException} only (see {@link #failure})
   */
  public static <C, N, T> CompletableFuture<T> later(C component, Class<N> nonBlockingType, Executor blocking,
      Function<N, CompletableFuture<T>> nonBlockingCall, Function<C, T> blockingCall, Supplier<String> context) {
    CompletableFuture<T> answer;
    if (nonBlockingType.isInstance(component)) {
      try {
        answer = nonBlockingCall.apply(nonBlockingType.cast(component));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(failure(e, context));
      }
    } else {
      answer = CompletableFuture.supplyAsync(() -> blockingCall.apply(component), blocking);
    }
    return answer.handle((value, e) -> {
      if (e != null) {
        throw failure(e, context);
      }
      return value;
    });
  }

  /**
   * The status a client gets for a failed component call: a {@link ComponentException} mapped by
   * its kind, a status kept, anything else INTERNAL without details (logged here).
   */
  public static StatusRuntimeException failure(Throwable e, Supplier<String> context) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return switch (cause) {
      case StatusRuntimeException sre -> sre;
      case ComponentException ce -> ApiErrors.fromComponent(ce, context.get());
      default -> ApiErrors.toStatus(cause, context.get());
    };
  }
}
