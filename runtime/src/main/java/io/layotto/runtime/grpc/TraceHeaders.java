package io.layotto.runtime.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Makes the caller's W3C {@code traceparent} header available to handlers (the pub/sub envelope
 * carries it as {@code traceparent}/{@code traceid}).
 */
public final class TraceHeaders implements ServerInterceptor {

  private static final Metadata.Key<String> TRACEPARENT_HEADER =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> TRACEPARENT = Context.key("layotto-traceparent");

  /** The current call's {@code traceparent} header, if it sent one. */
  public static @Nullable String traceparent() {
    return TRACEPARENT.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String traceparent = headers.get(TRACEPARENT_HEADER);
    if (traceparent == null || traceparent.isBlank()) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(TRACEPARENT, traceparent.trim()), call, headers, next);
  }
}
