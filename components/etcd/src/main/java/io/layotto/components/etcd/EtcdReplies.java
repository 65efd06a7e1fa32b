package io.layotto.components.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.layotto.spi.ComponentException;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for jetcd's futures and turns their failures into {@link ComponentException}s by gRPC
 * status code: jetcd's {@link EtcdException} carries only the status description as its message
 * ("io exception", "Network closed for unknown reason", ...), so matching on message text made a dead
 * etcd look like an internal error. Only UNKNOWN and INTERNAL look further, at the cause chain, to
 * tell a broken transport from an error the server reported; and etcd's "too many requests" (it
 * sheds load while applying lags behind), which reaches jetcd as UNKNOWN or RESOURCE_EXHAUSTED, is
 * told apart by its text: the request was not applied and may be retried.
 */
final class EtcdReplies {

  private EtcdReplies() {}

  /**
   * The reply within {@code timeout}.
   *
   * @param operation what was asked, for messages: "tryLock of lock store 'x'"
   */
  static <T> T await(CompletableFuture<T> reply, Duration timeout, Object endpoints, String operation) {
    try {
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(true);
      throw ComponentException.unavailable("the " + operation + " on etcd " + endpoints + " was interrupted", e);
    } catch (TimeoutException e) {
      reply.cancel(true);
      throw ComponentException.unavailable("etcd " + endpoints + " did not answer the " + operation + " within "
          + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw failure(e.getCause() == null ? e : e.getCause(), endpoints, operation);
    }
  }

  /**
   * {@link #await} without blocking: a future of the reply that always completes, within
   * {@code timeout}, with the value or a {@link ComponentException}. The timeout is armed on
   * {@code timer}, a timer wheel: arming and cancelling only queue it, where
   * {@code CompletableFuture.orTimeout} woke the JDK's delay scheduler thread twice per request.
   */
  static <T> CompletableFuture<T> later(CompletableFuture<T> reply, Timer timer, Duration timeout, Object endpoints,
      String operation) {
    Timeout expiry;
    try {
      expiry = timer.newTimeout(t -> reply.completeExceptionally(new TimeoutException()), timeout.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (IllegalStateException e) { // a stopped timer: fail now rather than never
      return CompletableFuture.failedFuture(ComponentException.unavailable("the " + operation + " on etcd " + endpoints
          + " failed: the client is closed", e));
    }
    return reply.handle((value, error) -> {
      expiry.cancel();
      if (error == null) {
        return value;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof TimeoutException) {
        throw ComponentException.unavailable("etcd " + endpoints + " did not answer the " + operation + " within "
            + timeout.toMillis() + " ms", cause);
      }
      throw failure(cause, endpoints, operation);
    });
  }

  /** The value of a future made by {@link #later} (it always completes), or its {@link ComponentException}. */
  static <T> T join(CompletableFuture<T> later) {
    try {
      return later.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ComponentException component) {
        throw component;
      }
      throw e;
    }
  }

  static ComponentException failure(Throwable cause, Object endpoints, String operation) {
    Status.Code code = codeOf(cause);
    String detail = code + ": " + cause.getMessage();
    if (isOverload(cause)) {
      return ComponentException.unavailable("etcd " + endpoints + " is overloaded and refused the " + operation
          + " without applying it; retry later: " + detail, cause);
    }
    return switch (code) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED ->
          ComponentException.unavailable("etcd " + endpoints + " is unreachable; the " + operation + " failed: "
              + detail, cause);
      // a stream reset or a closed socket surfaces as UNKNOWN or INTERNAL with the I/O error as cause
      case UNKNOWN, INTERNAL -> isTransportFailure(cause)
          ? ComponentException.unavailable("etcd " + endpoints + " is unreachable; the " + operation + " failed: "
              + detail, cause)
          : ComponentException.internal("etcd " + endpoints + " failed the " + operation + ": " + detail, cause);
      case PERMISSION_DENIED, UNAUTHENTICATED ->
          ComponentException.invalidArgument("etcd " + endpoints + " refused the credentials of metadata '"
              + EtcdSettings.USERNAME + "'/'" + EtcdSettings.PASSWORD + "' for the " + operation + ": " + detail);
      // "request is too large", "key is not provided", a message over gRPC's limit
      case INVALID_ARGUMENT, RESOURCE_EXHAUSTED ->
          ComponentException.invalidArgument("etcd " + endpoints + " refused the " + operation + ": " + detail);
      default -> ComponentException.internal("etcd " + endpoints + " failed the " + operation + ": " + detail, cause);
    };
  }

  /** The gRPC status code of a jetcd failure: jetcd's own error code, else the first gRPC status in the chain. */
  static Status.Code codeOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EtcdException etcd) {
        return Status.Code.valueOf(etcd.getErrorCode().name());
      }
      if (t instanceof StatusRuntimeException || t instanceof StatusException) {
        return Status.fromThrowable(t).getCode();
      }
    }
    return Status.fromThrowable(failure).getCode();
  }

  private static boolean isOverload(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("etcdserver: too many requests")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTransportFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof IOException || message.contains("RST_STREAM") || message.contains("Network closed")
          || message.contains("io exception") || message.contains("unexpected EOS")) {
        return true;
      }
    }
    return false;
  }
}
