package io.layotto.components.nats;

import io.layotto.spi.Metadata;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Shared server address and helpers. Every test run names its topics (and so its streams) with a
 * random run id, and deletes the streams carrying that id afterwards.
 */
final class NatsTestSupport {

  static final String SHARED_URL = "nats://127.0.0.1:4222";

  private NatsTestSupport() {}

  /** A random id for names of this run; letters and digits only, valid in subjects and stream names. */
  static String runId() {
    return "jst" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static Metadata metadata(String url, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>(extra);
    properties.put(JetStreamSettings.NATS_URL, url);
    return new Metadata("nats_test", properties);
  }

  static JetStreamPubSub started(Map<String, String> extra) {
    return started(SHARED_URL, extra);
  }

  static JetStreamPubSub started(String url, Map<String, String> extra) {
    JetStreamPubSub pubSub = new JetStreamPubSub();
    pubSub.init(metadata(url, extra));
    return pubSub;
  }

  /** Deletes every stream of the shared server whose name contains {@code runId}. */
  static void deleteStreams(String runId) throws Exception {
    try (Connection connection = Nats.connect(SHARED_URL)) {
      JetStreamManagement management = connection.jetStreamManagement();
      for (String stream : management.getStreamNames()) {
        if (stream.contains(runId)) {
          management.deleteStream(stream);
        }
      }
    }
  }
}
