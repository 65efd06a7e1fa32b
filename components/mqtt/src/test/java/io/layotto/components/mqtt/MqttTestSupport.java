package io.layotto.components.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.Message;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The machine's shared Mosquitto, run-unique names, and cleanup of persistent sessions. */
final class MqttTestSupport {

  static final String SHARED_HOST = "127.0.0.1";
  static final int SHARED_PORT = 1883;
  static final String SHARED_URL = "tcp://" + SHARED_HOST + ":" + SHARED_PORT;

  private MqttTestSupport() {}

  static String runId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** An initialised component of {@code version} at {@code url} with short delays, plus {@code extra}. */
  static MqttPubSub started(Version version, String url, Map<String, String> extra) {
    Map<String, String> metadata = new HashMap<>();
    metadata.put(MqttSettings.URL, url);
    metadata.put(MqttSettings.REDELIVERY_DELAY, "100ms");
    metadata.put(MqttSettings.RECONNECT_WAIT, "500ms");
    metadata.putAll(extra);
    MqttPubSub pubSub = new MqttPubSub(version);
    pubSub.init(new Metadata("mqtt_test", metadata));
    return pubSub;
  }

  static byte[] text(String s) {
    return s.getBytes(UTF_8);
  }

  static String text(Message m) {
    return new String(m.data(), UTF_8);
  }

  /**
   * Makes the broker forget the sessions of these client ids (and the messages queued for them): a
   * connect with a clean start and no session expiry, then a disconnect.
   */
  static void forgetSessions(String host, int port, Collection<String> clientIds) {
    for (String clientId : clientIds) {
      Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
          .serverHost(host).serverPort(port).buildBlocking();
      try {
        client.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        client.disconnect();
      } catch (RuntimeException e) {
        // best effort: a lingering session expires by itself (sessionExpiry)
      }
    }
  }
}
