package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.netty.util.HashedWheelTimer;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Failures are classified by gRPC status code; jetcd's messages hold only the status description. */
class EtcdRepliesTest {

  private static final List<String> ENDPOINTS = List.of("http://127.0.0.1:2379");

  @Test
  void aDeadServerIsUnavailableWhateverTheDescriptionSays() {
    for (Status status : List.of(
        Status.UNAVAILABLE.withDescription("io exception").withCause(new ClosedChannelException()),
        Status.UNAVAILABLE.withDescription("Network closed for unknown reason"),
        Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 0.99s"),
        Status.CANCELLED.withDescription("Channel shutdownNow invoked"),
        Status.INTERNAL.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL"),
        Status.UNKNOWN.withDescription("channel closed").withCause(new IOException("Connection reset by peer")))) {
      ComponentException e = failureOf(EtcdExceptionFactory.toEtcdException(status));
      assertThat(e.kind()).as(status.toString()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(e.getMessage()).contains("http://127.0.0.1:2379", "tryLock of lock store 'l'",
          status.getCode().name());
    }
  }

  @Test
  void aStatusExceptionFromPlainGrpcIsClassifiedToo() {
    ComponentException e = failureOf(new CompletionException(Status.UNAVAILABLE.asRuntimeException()));
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void anErrorTheServerReportedStaysInternal() {
    ComponentException e = failureOf(EtcdExceptionFactory.toEtcdException(
        Status.INTERNAL.withDescription("etcdserver: corrupt cluster")));
    assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
    assertThat(e.getMessage()).contains("etcdserver: corrupt cluster");
    assertThat(failureOf(EtcdExceptionFactory.toEtcdException(Status.FAILED_PRECONDITION)).kind())
        .isEqualTo(Kind.INTERNAL);
  }

  @Test
  void refusedCredentialsAndOversizedRequestsAreTheCallersFault() {
    ComponentException denied = failureOf(EtcdExceptionFactory.toEtcdException(
        Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied")));
    assertThat(denied.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    assertThat(denied.getMessage()).contains(EtcdSettings.USERNAME, EtcdSettings.PASSWORD);
    assertThat(failureOf(EtcdExceptionFactory.toEtcdException(
        Status.INVALID_ARGUMENT.withDescription("etcdserver: request is too large"))).kind())
        .isEqualTo(Kind.INVALID_ARGUMENT);
  }

  @Test
  void anOverloadedServerIsUnavailableSoTheCallerRetriesLater() {
    // as the benchmark saw it: an etcd whose applying lags behind sheds requests
    for (Status status : List.of(Status.UNKNOWN.withDescription("etcdserver: too many requests"),
        Status.RESOURCE_EXHAUSTED.withDescription("etcdserver: too many requests"))) {
      ComponentException e = failureOf(EtcdExceptionFactory.toEtcdException(status));
      assertThat(e.kind()).as(status.toString()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(e.getMessage()).contains("http://127.0.0.1:2379] is overloaded", "tryLock of lock store 'l'",
          "without applying it", "etcdserver: too many requests");
    }
    assertThat(failureOf(EtcdExceptionFactory.toEtcdException(
        Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 2097152"))).kind())
        .isEqualTo(Kind.INVALID_ARGUMENT);
  }

  @Test
  void noAnswerWithinTheTimeoutIsUnavailableAndCancelsTheCall() {
    CompletableFuture<String> never = new CompletableFuture<>();
    ComponentException e = catchThrowableOfType(ComponentException.class,
        () -> EtcdReplies.await(never, Duration.ofMillis(20), ENDPOINTS, "get of key 'k'"));
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("did not answer the get of key 'k' within 20 ms");
    assertThat(never).isCancelled();
  }

  @Test
  void theNonBlockingFormCompletesWithTheSameErrorsAndNeverHangs() throws InterruptedException {
    HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    try {
      CompletableFuture<String> never = new CompletableFuture<>();
      CompletableFuture<String> later = EtcdReplies.later(never, timer, Duration.ofMillis(20), ENDPOINTS,
          "txn of key 'k'");
      ComponentException late = catchThrowableOfType(ComponentException.class, () -> EtcdReplies.join(later));
      assertThat(late.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(late.getMessage()).contains("did not answer the txn of key 'k' within 20 ms");

      ComponentException refused = catchThrowableOfType(ComponentException.class, () -> EtcdReplies.join(
          EtcdReplies.later(CompletableFuture.failedFuture(EtcdExceptionFactory.toEtcdException(
              Status.UNKNOWN.withDescription("etcdserver: too many requests"))), timer, Duration.ofSeconds(1),
              ENDPOINTS, "txn of key 'k'")));
      assertThat(refused.kind()).isEqualTo(Kind.UNAVAILABLE);
      assertThat(refused.getMessage()).contains("is overloaded", "txn of key 'k'");
      assertThat(EtcdReplies.join(EtcdReplies.later(CompletableFuture.completedFuture("v"), timer,
          Duration.ofSeconds(1), ENDPOINTS, "get"))).isEqualTo("v");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (timer.pendingTimeouts() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5); // the wheel drops cancelled timeouts on its next tick
      }
      assertThat(timer.pendingTimeouts()).as("timeouts of answered requests are cancelled").isZero();
    } finally {
      timer.stop();
    }
    ComponentException closed = catchThrowableOfType(ComponentException.class, () -> EtcdReplies.join(
        EtcdReplies.later(new CompletableFuture<>(), timer, Duration.ofSeconds(1), ENDPOINTS, "get of key 'k'")));
    assertThat(closed.kind()).as("a request after close").isEqualTo(Kind.UNAVAILABLE);
    assertThat(closed.getMessage()).contains("get of key 'k'", "closed");
  }

  private static ComponentException failureOf(Throwable failure) {
    return catchThrowableOfType(ComponentException.class, () -> EtcdReplies.await(
        CompletableFuture.failedFuture(failure), Duration.ofSeconds(1), ENDPOINTS, "tryLock of lock store 'l'"));
  }
}
