package io.layotto.runtime.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last line of defence for exceptions that escape a handler (grpc-java would report them as UNKNOWN):
 * status exceptions keep their status, anything else becomes INTERNAL with a generic message and is
 * logged with its stack trace here, never sent to the client.
 */
public final class ErrorGuard implements ServerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorGuard.class);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    GuardedCall<Q, R> guarded = new GuardedCall<>(call);
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(guarded, headers);
    } catch (RuntimeException e) {
      guarded.fail(e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          guarded.fail(e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          guarded.fail(e);
        }
      }

      @Override
      public void onReady() {
        try {
          super.onReady();
        } catch (RuntimeException e) {
          guarded.fail(e);
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } catch (RuntimeException e) {
          LOG.warn("{}: cancellation handler failed", call.getMethodDescriptor().getFullMethodName(), e);
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } catch (RuntimeException e) {
          LOG.warn("{}: completion handler failed", call.getMethodDescriptor().getFullMethodName(), e);
        }
      }
    };
  }

  /** Remembers whether the call is closed, so a late failure does not close it twice. */
  private static final class GuardedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {

    private final AtomicBoolean closed = new AtomicBoolean();

    GuardedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed.set(true);
      super.close(status, trailers);
    }

    void fail(RuntimeException e) {
      String method = getMethodDescriptor().getFullMethodName();
      StatusRuntimeException status = ApiErrors.toStatus(e, method);
      if (closed.compareAndSet(false, true)) {
        Metadata trailers = status.getTrailers();
        super.close(status.getStatus(), trailers == null ? new Metadata() : trailers);
      } else {
        LOG.warn("{}: failure after the call was closed", method, e);
      }
    }
  }
}
