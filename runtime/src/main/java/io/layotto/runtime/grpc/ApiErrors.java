package io.layotto.runtime.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.layotto.spi.ComponentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into client-visible gRPC statuses. Descriptions carry what the
 * client needs to fix the call (field, value, store, key) and never a stack trace; unexpected
 * failures are logged here with their stack trace and reach the client as a short INTERNAL.
 */
public final class ApiErrors {

  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  public static StatusRuntimeException invalidArgument(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  public static StatusRuntimeException failedPrecondition(String message) {
    return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
  }

  public static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asRuntimeException();
  }

  public static StatusRuntimeException unimplemented(String message) {
    return Status.UNIMPLEMENTED.withDescription(message).asRuntimeException();
  }

  /** The status a component failure maps to, described as {@code context: component message}. */
  public static StatusRuntimeException fromComponent(ComponentException e, String context) {
    Status status = switch (e.kind()) {
      case ETAG_MISMATCH -> Status.ABORTED;
      case INVALID_ETAG, INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case UNSUPPORTED -> Status.UNIMPLEMENTED;
      case NOT_FOUND -> Status.NOT_FOUND;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case INTERNAL -> Status.INTERNAL;
    };
    switch (e.kind()) {
      // the client gets the component's message; operators need the cause chain of a failure too
      case INTERNAL -> LOG.warn("{}: {}", context, e.getMessage(), e.getCause());
      // an outage fails every call: one line each, no stack traces flooding the log
      case UNAVAILABLE -> LOG.warn("{}: {}", context, e.getMessage());
      default -> LOG.debug("{}: {}", context, e.getMessage());
    }
    return status.withDescription(context + ": " + e.getMessage()).asRuntimeException();
  }

  /**
   * A bug or an exception no component should throw: logged in full, reported as a generic
   * INTERNAL so that no internals leak to the client.
   */
  public static StatusRuntimeException unexpected(RuntimeException e, String context) {
    LOG.error("{} failed unexpectedly", context, e);
    return Status.INTERNAL.withDescription(context + ": internal error (details are in the sidecar log)")
        .asRuntimeException();
  }

  /**
   * Any exception escaping a call: status exceptions pass unchanged, component failures are mapped,
   * everything else becomes {@link #unexpected}.
   */
  public static StatusRuntimeException toStatus(Throwable t, String context) {
    return switch (t) {
      case StatusRuntimeException sre -> sre;
      case io.grpc.StatusException se -> se.getStatus().asRuntimeException(se.getTrailers());
      case ComponentException ce -> fromComponent(ce, context);
      case RuntimeException re -> unexpected(re, context);
      default -> {
        LOG.error("{} failed unexpectedly", context, t);
        yield Status.INTERNAL.withDescription(context + ": internal error (details are in the sidecar log)")
            .asRuntimeException();
      }
    };
  }
}
