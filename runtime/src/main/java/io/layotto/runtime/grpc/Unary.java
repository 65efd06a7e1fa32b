package io.layotto.runtime.grpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs the body of a unary rpc and completes its observer with the result or the mapped status. */
public final class Unary {

  private Unary() {}

  /**
   * @param rpc the rpc's name, used as context in the status of an unexpected failure
   */
  public static <T> void respond(StreamObserver<T> observer, String rpc, Supplier<T> body) {
    T response;
    try {
      response = body.get();
    } catch (RuntimeException e) {
      observer.onError(ApiErrors.toStatus(e, rpc));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
