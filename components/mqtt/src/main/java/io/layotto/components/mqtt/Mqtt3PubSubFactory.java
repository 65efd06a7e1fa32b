package io.layotto.components.mqtt;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/**
 * Creates {@link MqttPubSub}s speaking MQTT 3.1.1, for components of type {@code mqtt3} (Dapr's name), for
 * brokers without MQTT 5. No native message expiry and no receive maximum (the broker's own in-flight
 * window bounds what it sends unacked); shared subscriptions work where the broker offers them to
 * 3.1.1 clients as an extension (Mosquitto, EMQX, HiveMQ, VerneMQ).
 */
public final class Mqtt3PubSubFactory implements PubSubFactory {

  public static final String TYPE = Version.MQTT_3.type();
  private static final MetadataSchema SCHEMA = MqttSettings.schema(Version.MQTT_3);

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return SCHEMA;
  }

  @Override
  public Set<PubSubFeature> capabilities() {
    return MqttPubSub.features(Version.MQTT_3);
  }

  @Override
  public PubSub create() {
    return new MqttPubSub(Version.MQTT_3);
  }
}
