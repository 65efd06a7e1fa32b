package io.layotto.components.mqtt;

import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.ConnectionFailedException;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.exceptions.MqttEncodeException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits on HiveMQ futures and translates their failures into {@link ComponentException}s naming the broker. */
final class MqttFailures {

  private MqttFailures() {}

  /** The future's value, waiting at most {@code timeoutMillis}; failures translated. */
  static <T> T await(CompletableFuture<T> future, long timeoutMillis, MqttSettings settings, String doing) {
    try {
      return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw ComponentException.unavailable("mqtt broker at " + settings.address() + " did not answer within "
          + timeoutMillis + " ms; " + doing + " failed", e);
    } catch (ExecutionException e) {
      throw translate(e.getCause() == null ? e : e.getCause(), settings, doing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted; " + doing + " failed", e);
    }
  }

  /**
   * @param doing what was attempted, e.g. {@code publish to topic 'orders'}
   */
  static ComponentException translate(Throwable failure, MqttSettings settings, String doing) {
    Throwable f = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String broker = "mqtt broker at " + settings.address();
    return switch (f) {
      case ComponentException e -> e;
      case Mqtt5ConnAckException e -> ComponentException.unavailable(broker + " refused the connection ("
          + e.getMqttMessage().getReasonCode() + reason(e.getMqttMessage().getReasonString()) + "); " + doing
          + " failed", f);
      case Mqtt3ConnAckException e -> ComponentException.unavailable(broker + " refused the connection ("
          + e.getMqttMessage().getReturnCode() + "); " + doing + " failed", f);
      case Mqtt5PubAckException e -> refusedPublish(broker, e.getMqttMessage().getReasonCode().name(),
          e.getMqttMessage().getReasonString().map(Object::toString).orElse(null), doing, f);
      case Mqtt5PubRecException e -> refusedPublish(broker, e.getMqttMessage().getReasonCode().name(),
          e.getMqttMessage().getReasonString().map(Object::toString).orElse(null), doing, f);
      case Mqtt5SubAckException e -> refusedSubscription(settings,
          e.getMqttMessage().getReasonCodes().isEmpty() ? "UNSPECIFIED_ERROR"
              : e.getMqttMessage().getReasonCodes().getFirst().name(), doing, f);
      case HiveMqLink.SubscriptionRefused e -> refusedSubscription(settings, e.getMessage(), doing, f);
      case Mqtt5DisconnectException e -> ComponentException.unavailable(broker + " closed the connection ("
          + e.getMqttMessage().getReasonCode() + reason(e.getMqttMessage().getReasonString()) + "); " + doing
          + " failed", f);
      case ConnectionFailedException e -> ComponentException.unavailable(broker + " is unreachable; " + doing
          + " failed: " + rootMessage(e), f);
      case ConnectionClosedException e -> ComponentException.unavailable(broker + " closed the connection; "
          + doing + " failed: " + rootMessage(e), f);
      case MqttSessionExpiredException e -> ComponentException.unavailable("the connection to " + broker
          + " was lost; " + doing + " failed: " + rootMessage(e), f);
      case MqttClientStateException e -> ComponentException.unavailable(broker + " is not connected; " + doing
          + " failed", f);
      case MqttEncodeException e -> new ComponentException(Kind.RESOURCE_EXHAUSTED, "the " + doing + " cannot be "
          + "sent to " + broker + ": " + e.getMessage(), f);
      case IllegalArgumentException e -> ComponentException.invalidArgument(doing + " failed: " + e.getMessage());
      default -> ComponentException.internal("the " + doing + " on " + broker + " failed: " + rootMessage(f), f);
    };
  }

  private static ComponentException refusedPublish(String broker, String code, String reasonString, String doing,
      Throwable failure) {
    String message = broker + " refused the " + doing + " (" + code + (reasonString == null ? "" : ": " + reasonString)
        + ")";
    return switch (code) {
      case "QUOTA_EXCEEDED", "PACKET_TOO_LARGE" -> new ComponentException(Kind.RESOURCE_EXHAUSTED, message, failure);
      case "TOPIC_NAME_INVALID", "PAYLOAD_FORMAT_INVALID" -> ComponentException.invalidArgument(message);
      case "NOT_AUTHORIZED" -> ComponentException.invalidArgument(message + "; check the broker's ACL for this user");
      default -> ComponentException.internal(message, failure);
    };
  }

  private static ComponentException refusedSubscription(MqttSettings settings, String code, String doing,
      Throwable failure) {
    String message = "mqtt broker at " + settings.address() + " refused the " + doing + " (" + code + ")";
    if (code.startsWith("SHARED_SUBSCRIPTIONS_NOT_SUPPORTED")) {
      return ComponentException.unsupported(message + "; set metadata '" + MqttSettings.SHARED_SUBSCRIPTIONS
          + "' to false (every subscription then gets every message)");
    }
    if (code.startsWith("WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED")) {
      return ComponentException.unsupported(message);
    }
    if (code.startsWith("FAILURE")) {
      return ComponentException.invalidArgument(message + ": not authorized by the broker's ACL"
          + (settings.sharedSubscriptions() ? ", or it does not support shared subscriptions (then set metadata '"
              + MqttSettings.SHARED_SUBSCRIPTIONS + "' to false)" : ""));
    }
    return ComponentException.invalidArgument(message);
  }

  private static String reason(java.util.Optional<?> reasonString) {
    return reasonString.map(s -> ": " + s).orElse("");
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String outer = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String inner = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == t || outer.contains(inner) ? outer : outer + " (" + inner + ")";
  }
}
