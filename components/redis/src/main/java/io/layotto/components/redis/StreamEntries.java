package io.layotto.components.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layotto.spi.ComponentException;
import io.layotto.spi.pubsub.Message;
import io.layotto.spi.pubsub.PublishRequest;
import io.lettuce.core.StreamMessage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layout of a published message in its stream, the one of Dapr's Redis Streams pub/sub so Dapr
 * sidecars and ours can share streams: field {@code data} holds the payload bytes unchanged, field
 * {@code metadata} (only when the request has metadata) a JSON object of the request metadata.
 */
final class StreamEntries {

  static final String DATA = "data";
  static final String METADATA = "metadata";
  /** Message metadata: the stream entry id, e.g. {@code 1700000000000-0}. */
  static final String STREAM_ID = "redis.streamId";
  /** Message metadata: {@code true} when the entry was claimed again after a failure or a timeout. */
  static final String REDELIVERED = "redis.redelivered";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final Logger log = LoggerFactory.getLogger(StreamEntries.class);

  private StreamEntries() {}

  /** The fields of the entry XADD writes for {@code request}. */
  static Map<String, byte[]> body(PublishRequest request) {
    Map<String, byte[]> body = new LinkedHashMap<>(2);
    body.put(DATA, request.data());
    if (!request.metadata().isEmpty()) {
      body.put(METADATA, metadataJson(request));
    }
    return body;
  }

  /** The JSON object of the request metadata, or an empty array when it has none. */
  static byte[] metadataJson(PublishRequest request) {
    if (request.metadata().isEmpty()) {
      return new byte[0];
    }
    try {
      return JSON.writeValueAsBytes(request.metadata());
    } catch (JsonProcessingException e) {
      throw ComponentException.internal("cannot write the metadata of a message to topic '" + request.topic()
          + "' as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The message of an entry. An entry without {@code data} (written by another producer) has an
   * empty payload, as in Dapr; metadata that is not a JSON object of strings is skipped with a warning.
   */
  static Message message(String topic, StreamMessage<String, byte[]> entry, boolean redelivered) {
    Map<String, byte[]> body = entry.getBody();
    byte[] data = body == null ? null : body.get(DATA);
    Map<String, String> metadata = new HashMap<>();
    byte[] rawMetadata = body == null ? null : body.get(METADATA);
    if (rawMetadata != null && rawMetadata.length > 0) {
      try {
        Map<String, String> published = JSON.readValue(rawMetadata, STRING_MAP);
        if (published != null) {
          published.forEach((key, value) -> {
            if (key != null && value != null) {
              metadata.put(key, value);
            }
          });
        }
      } catch (java.io.IOException e) {
        log.warn("entry {} of stream '{}' has metadata that is not a JSON object of strings; delivering it without",
            entry.getId(), topic);
      }
    }
    metadata.put(STREAM_ID, entry.getId());
    metadata.put(REDELIVERED, String.valueOf(redelivered));
    return new Message(topic, data == null ? new byte[0] : data, metadata);
  }
}
