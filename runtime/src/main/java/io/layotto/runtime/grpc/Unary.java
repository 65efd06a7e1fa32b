package io.layotto.runtime.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the body of a unary rpc and completes its observer with the result or the mapped status. */
public final class Unary {

  private static final Logger LOG = LoggerFactory.getLogger(Unary.class);

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

  /**
   * Like {@link #respond}, for a body that answers later: the observer is completed on the thread
   * that completes the stage. A body that throws before returning a stage fails the call the same way.
   */
  public static <T> void respondLater(StreamObserver<T> observer, String rpc, Supplier<? extends CompletionStage<T>> body) {
    CompletionStage<T> answer;
    try {
      answer = body.get();
    } catch (RuntimeException e) {
      observer.onError(ApiErrors.toStatus(e, rpc));
      return;
    }
    answer.whenComplete((response, failure) -> {
      if (failure != null) {
        observer.onError(ApiErrors.toStatus(unwrap(failure), rpc));
        return;
      }
      try {
        observer.onNext(response);
        observer.onCompleted();
      } catch (RuntimeException e) {
        // grpc-java throws here when the client cancelled meanwhile: nobody is left to answer
        LOG.debug("{}: the answer could not be sent", rpc, e);
      }
    });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
