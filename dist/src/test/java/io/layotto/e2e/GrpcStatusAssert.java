package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the gRPC status a client receives: the code, the words it names, and never a stack trace. */
final class GrpcStatusAssert {

  private GrpcStatusAssert() {}

  /** Asserts the call fails with {@code code}, a description containing every fragment, and no stack trace. */
  static Status assertFailsWith(Status.Code code, ThrowingCallable call, String... descriptionFragments) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("the call must fail with %s", code).isNotNull();
    Status status = e.getStatus();
    assertThat(status.getCode()).as("status of %s", status).isEqualTo(code);
    assertThat(status.getDescription()).as("description of %s", status).isNotBlank();
    for (String fragment : descriptionFragments) {
      assertThat(status.getDescription()).as("description of %s", status).contains(fragment);
    }
    assertNoStackTrace(status);
    return status;
  }

  static void assertNoStackTrace(Status status) {
    assertThat(status.getDescription())
        .as("a client must never see a stack trace: %s", status)
        .doesNotContain("\tat ")
        .doesNotContain("at io.")
        .doesNotContain("at java.")
        .doesNotContain("Exception:");
  }
}
