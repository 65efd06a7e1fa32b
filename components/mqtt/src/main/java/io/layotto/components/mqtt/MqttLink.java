package io.layotto.components.mqtt;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One MQTT connection as the component uses it, the same for MQTT 5 and 3.1.1: connect, publish at the
 * configured QoS, subscribe, receive every incoming publish with manual acknowledgement, reconnect by
 * itself after a loss, disconnect. Implemented on the HiveMQ client by {@link HiveMqLink}.
 */
interface MqttLink {

  /**
   * How to connect.
   *
   * @param clientId the MQTT client identifier; a persistent session belongs to it
   * @param cleanStart start without the broker's stored session (MQTT 3.1.1: clean session)
   * @param sessionExpiry MQTT 5: how long the broker keeps the session after a disconnect; zero ends it at once
   */
  record Options(String clientId, boolean cleanStart, Duration sessionExpiry) {}

  /** Connection events, called on the client's I/O thread; must not block. */
  interface Listener {
    /**
     * @param sessionPresent whether the broker resumed the stored session (its subscriptions included)
     * @param reconnect whether this follows a lost connection rather than the first connect
     */
    void connected(boolean sessionPresent, boolean reconnect);

    /** @param reconnecting whether the link tries again after {@code reconnectWait} */
    void disconnected(String reason, boolean reconnecting);
  }

  /**
   * A received publish. {@code ack} sends the PUBACK (QoS 1) or PUBREC (QoS 2); it does nothing once the
   * connection it arrived on is gone, as the broker then sends the message again on the next one.
   */
  record Incoming(String topic, byte[] payload, boolean retain, @Nullable String contentType, Runnable ack) {}

  /**
   * Hands every publish arriving from now on to {@code consumer}, unacknowledged until its {@code ack}
   * runs. Call before {@link #connect()}: a resumed session delivers at once. Calling again replaces
   * the consumer (after a session was lost, the client forgets earlier registrations).
   */
  void receive(Consumer<Incoming> consumer);

  /** Connects; completes with whether the broker resumed a stored session. */
  CompletableFuture<Boolean> connect();

  /**
   * Publishes; completes once the broker acknowledged it (PUBACK, or PUBREC for QoS 2).
   *
   * @param expirySeconds MQTT 5 message expiry; ignored by MQTT 3.1.1
   */
  CompletableFuture<Void> publish(String topic, byte[] payload, @Nullable String contentType, OptionalLong expirySeconds);

  /** Subscribes to a topic filter; completes exceptionally when the broker refused it. */
  CompletableFuture<Void> subscribe(String topicFilter);

  /** Disconnects without reconnecting; the session stays on the broker unless it was a clean one. */
  CompletableFuture<Void> disconnect();

  boolean isConnected();

  static MqttLink create(MqttSettings settings, Options options, Listener listener) {
    return switch (settings.version()) {
      case MQTT_5 -> new HiveMqLink.V5(settings, options, listener);
      case MQTT_3 -> new HiveMqLink.V3(settings, options, listener);
    };
  }
}
