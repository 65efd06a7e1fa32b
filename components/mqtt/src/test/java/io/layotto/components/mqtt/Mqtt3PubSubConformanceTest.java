package io.layotto.components.mqtt;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubConformance;
import java.util.Map;
import java.util.Set;

/** The pub/sub conformance kit for type {@code mqtt3} (MQTT 3.1.1) against the machine's Mosquitto. */
class Mqtt3PubSubConformanceTest extends PubSubConformance {

  @Override
  protected PubSub createPubSub() {
    return new RecordingPubSub(MqttTestSupport.started(Version.MQTT_3, MqttTestSupport.SHARED_URL, Map.of()));
  }

  /** The persistent sessions of this run's subscriptions would otherwise keep queueing on the shared broker. */
  @Override
  protected void deleteCreated(PubSub pubSub, Set<String> topics, Set<String> groups) {
    MqttTestSupport.forgetSessions(MqttTestSupport.SHARED_HOST, MqttTestSupport.SHARED_PORT,
        ((RecordingPubSub) pubSub).clientIds());
  }
}
