package io.layotto.components.kafka;

import io.layotto.spi.Metadata;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One embedded broker shared by the test classes of this JVM (started on first use, stopped at exit),
 * and helpers. Names carry a random run id, so nothing depends on what earlier tests left.
 */
final class KafkaTestSupport {

  private static EmbeddedKafka shared;

  private KafkaTestSupport() {}

  static synchronized EmbeddedKafka sharedKafka() {
    if (shared == null) {
      EmbeddedKafka kafka = EmbeddedKafka.launch();
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-stop"));
      shared = kafka;
    }
    return shared;
  }

  /** A random id for names of this run: letters and digits only. */
  static String runId() {
    return "kt" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /** Metadata with short timeouts suited to tests; {@code extra} adds or replaces keys. */
  static Metadata metadata(String brokers, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>();
    properties.put(KafkaSettings.BROKERS, brokers);
    properties.put(KafkaSettings.MAX_MESSAGE_BYTES, Integer.toString(2 * 1024 * 1024));
    properties.put(KafkaSettings.CONSUME_RETRY_INTERVAL, "100ms");
    properties.put(KafkaSettings.HEARTBEAT_INTERVAL, "500ms");
    properties.put(KafkaSettings.SESSION_TIMEOUT, "6s");
    properties.putAll(extra);
    return new Metadata("kafka_test", properties);
  }

  static KafkaPubSub started(String brokers, Map<String, String> extra) {
    KafkaPubSub pubSub = new KafkaPubSub();
    pubSub.init(metadata(brokers, extra));
    return pubSub;
  }

  static KafkaPubSub started(Map<String, String> extra) {
    return started(sharedKafka().bootstrapServers(), extra);
  }
}
