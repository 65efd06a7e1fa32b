package io.layotto.runtime.pubsub;

import java.util.Map;

/**
 * One event as the app receives it (the fields of {@code TopicEventRequest} in both APIs).
 *
 * @param data the event's data: decoded {@code data_base64}, text, or the JSON value re-serialised
 * @param extensions every other attribute of the envelope (topic, pubsubname, traceparent, ...)
 * @param expired whether the envelope's {@code expiration} lies in the past
 */
public record TopicEvent(String id, String source, String type, String specVersion, String dataContentType,
    byte[] data, String topic, String pubsubName, Map<String, String> extensions, boolean expired) {

  public TopicEvent {
    extensions = Map.copyOf(extensions);
  }
}
