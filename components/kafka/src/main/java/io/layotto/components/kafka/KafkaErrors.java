package io.layotto.components.kafka;

import io.layotto.spi.ComponentException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/** Maps kafka-clients failures to the component's error kinds, with messages fit for a client. */
final class KafkaErrors {

  private KafkaErrors() {}

  /** The failure behind wrappers such as {@link ExecutionException}. */
  static Throwable unwrap(Throwable e) {
    Throwable current = e;
    while ((current instanceof ExecutionException || current instanceof CompletionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** Failures that retrying cannot fix (a subscription gives up instead of waiting for its timeout). */
  static boolean isFatal(Throwable e) {
    Throwable cause = unwrap(e);
    return cause instanceof InvalidTopicException || cause instanceof AuthorizationException
        || cause instanceof AuthenticationException || cause instanceof InvalidGroupIdException
        || cause instanceof UnsupportedVersionException;
  }

  /** @param what what failed, e.g. {@code publishing to topic 'orders'} */
  static ComponentException toComponentException(String what, Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
      return new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED, what
          + " failed: the message is larger than the Kafka broker accepts (its message.max.bytes): " + describe(cause),
          cause);
    }
    if (cause instanceof InvalidTopicException) {
      return ComponentException.invalidArgument(what + " failed: " + describe(cause));
    }
    return ComponentException.unavailable(what + " failed: " + describe(cause), cause);
  }

  static String describe(Throwable e) {
    Throwable cause = unwrap(e);
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName()
        : cause.getClass().getSimpleName() + ": " + message;
  }
}
