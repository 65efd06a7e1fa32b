package io.layotto.components.mqtt;

import io.layotto.components.mqtt.MqttSettings.Version;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.pubsub.PubSub;
import io.layotto.spi.pubsub.PubSubFactory;
import io.layotto.spi.pubsub.PubSubFeature;
import java.util.Set;

/** Creates {@link MqttPubSub}s speaking MQTT 5, for components of type {@code mqtt}. */
public final class MqttPubSubFactory implements PubSubFactory {

  public static final String TYPE = Version.MQTT_5.type();
  private static final MetadataSchema SCHEMA = MqttSettings.schema(Version.MQTT_5);

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
    return MqttPubSub.features(Version.MQTT_5);
  }

  @Override
  public PubSub create() {
    return new MqttPubSub(Version.MQTT_5);
  }
}
