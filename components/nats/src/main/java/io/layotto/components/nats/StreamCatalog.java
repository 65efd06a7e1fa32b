package io.layotto.components.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the stream that stores a topic's subject, creating or extending one when none does. JetStream
 * forbids overlapping subjects, so at most one stream covers a subject and it is the right one for
 * both publishing and consuming. Answers are cached; {@link #forget} drops one after a failure
 * (e.g. the stream was deleted) so the next call looks again.
 */
final class StreamCatalog {

  private static final Logger log = LoggerFactory.getLogger(StreamCatalog.class);
  private static final int STREAM_NOT_FOUND = 10059;
  private static final int UPDATE_ATTEMPTS = 5;

  private final JetStreamManagement management;
  private final @Nullable String sharedStream;
  private final JetStreamSettings.StreamSettings newStreams;
  private final ConcurrentMap<String, String> streamByTopic = new ConcurrentHashMap<>();

  /** @param sharedStream the configured stream that receives topics no stream covers yet; null for one stream per topic */
  StreamCatalog(JetStreamManagement management, @Nullable String sharedStream,
      JetStreamSettings.StreamSettings newStreams) {
    this.management = management;
    this.sharedStream = sharedStream;
    this.newStreams = newStreams;
  }

  String streamFor(String topic) throws IOException, JetStreamApiException {
    String known = streamByTopic.get(topic);
    if (known != null) {
      return known;
    }
    String stream = resolve(topic);
    streamByTopic.put(topic, stream);
    return stream;
  }

  /** Whether {@link #streamFor} answers {@code topic} without asking the server. */
  boolean knows(String topic) {
    return streamByTopic.containsKey(topic);
  }

  void forget(String topic) {
    streamByTopic.remove(topic);
  }

  private String resolve(String topic) throws IOException, JetStreamApiException {
    String covering = coveringStream(topic);
    if (covering != null) {
      return covering;
    }
    return sharedStream == null ? createStreamFor(topic) : addToSharedStream(sharedStream, topic);
  }

  private @Nullable String coveringStream(String topic) throws IOException, JetStreamApiException {
    List<String> names = management.getStreamNames(topic);
    return names.isEmpty() ? null : names.getFirst();
  }

  private String createStreamFor(String topic) throws IOException, JetStreamApiException {
    String name = NatsNames.streamFor(topic);
    try {
      management.addStream(newStream(name, topic));
      log.info("created JetStream stream '{}' for topic '{}'", name, topic);
      return name;
    } catch (JetStreamApiException e) {
      // Another sidecar may have created it at the same moment.
      String covering = coveringStream(topic);
      if (covering != null) {
        return covering;
      }
      throw e;
    }
  }

  /** Adds the subject to the shared stream (creating it if missing). Re-checks, as concurrent updates may overwrite each other. */
  private String addToSharedStream(String stream, String topic) throws IOException, JetStreamApiException {
    @Nullable JetStreamApiException last = null;
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      try {
        StreamInfo info = management.getStreamInfo(stream);
        management.updateStream(StreamConfiguration.builder(info.getConfiguration()).addSubjects(topic).build());
        log.info("added subject '{}' to JetStream stream '{}'", topic, stream);
      } catch (JetStreamApiException e) {
        last = e;
        if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
          try {
            management.addStream(newStream(stream, topic));
            log.info("created JetStream stream '{}' for topic '{}'", stream, topic);
          } catch (JetStreamApiException raced) {
            last = raced;
          }
        }
      }
      String covering = coveringStream(topic);
      if (covering != null) {
        return covering;
      }
    }
    if (last != null) {
      throw last;
    }
    throw new IOException("subject '" + topic + "' could not be added to stream '" + stream + "'");
  }

  private StreamConfiguration newStream(String name, String subject) {
    return StreamConfiguration.builder()
        .name(name)
        .subjects(subject)
        .storageType(newStreams.memoryStorage() ? StorageType.Memory : StorageType.File)
        .replicas(newStreams.replicas())
        .retentionPolicy(RetentionPolicy.Limits)
        .build();
  }
}
