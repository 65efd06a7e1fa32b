package io.layotto.components.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Translates amqp-client failures into {@link ComponentException}s naming the broker's address. */
final class RabbitMqFailures {

  static final int NOT_FOUND = 404;
  static final int PRECONDITION_FAILED = 406;
  static final int ACCESS_REFUSED = 403;

  private RabbitMqFailures() {}

  /**
   * @param address the broker as {@code host:port}; the URI is never used, it holds the password
   * @param doing what was attempted, e.g. {@code publish to topic 'orders'}
   */
  static ComponentException translate(Throwable failure, String address, String doing) {
    if (failure instanceof ComponentException e) {
      return e;
    }
    AMQP.Channel.@Nullable Close refusal = channelRefusal(failure);
    if (refusal != null) {
      String text = refusal.getReplyText();
      String message = "rabbitmq at " + address + " refused the " + doing + ": " + text;
      return switch (refusal.getReplyCode()) {
        case PRECONDITION_FAILED -> text.contains("max size") || text.contains("larger than")
            ? new ComponentException(Kind.RESOURCE_EXHAUSTED, message, failure)
            : ComponentException.invalidArgument(message
                + " (an exchange or queue of this name exists with other settings: align durable, "
                + "deletedWhenUnused, exchangeKind and the queue arguments with its other users)");
        case NOT_FOUND -> new ComponentException(Kind.NOT_FOUND, message, failure);
        default -> ComponentException.internal(message, failure);
      };
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationFailureException || t instanceof PossibleAuthenticationFailureException) {
        return ComponentException.unavailable("rabbitmq at " + address
            + " refused the credentials of the URI (user, password or vhost access); " + doing + " failed", failure);
      }
    }
    return switch (failure) {
      case ShutdownSignalException e -> ComponentException.unavailable(
          "rabbitmq at " + address + " is unreachable; " + doing + " failed: " + reason(e), failure);
      case IOException e -> ComponentException.unavailable(
          "rabbitmq at " + address + " is unreachable; " + doing + " failed: " + rootMessage(e), failure);
      case TimeoutException e -> ComponentException.unavailable(
          "rabbitmq at " + address + " did not answer in time; " + doing + " failed", failure);
      default -> ComponentException.internal(
          "the " + doing + " on rabbitmq at " + address + " failed: " + rootMessage(failure), failure);
    };
  }

  /** The broker's channel-level refusal (404, 406, 403 ...) behind a failure, if that is what it is. */
  static AMQP.Channel.@Nullable Close channelRefusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ShutdownSignalException s && !s.isHardError() && s.getReason() instanceof AMQP.Channel.Close c) {
        return c;
      }
    }
    return null;
  }

  /** The reply text of a broker-initiated close, or the network cause of a lost connection. */
  static String reason(ShutdownSignalException e) {
    if (e.getReason() instanceof AMQP.Connection.Close c) {
      return c.getReplyText();
    }
    if (e.getReason() instanceof AMQP.Channel.Close c) {
      return c.getReplyText();
    }
    Throwable cause = e.getCause();
    if (cause == null) {
      return "connection closed";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : rootMessage(cause);
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String outer = String.valueOf(t.getMessage());
    String inner = String.valueOf(root.getMessage());
    if (root instanceof ShutdownSignalException s) {
      inner = reason(s);
    }
    return root == t || outer.contains(inner) ? outer : outer + " (" + inner + ")";
  }
}
