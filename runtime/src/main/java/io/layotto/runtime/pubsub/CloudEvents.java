package io.layotto.runtime.pubsub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The CloudEvents 1.0 envelope (structured JSON mode) put around published data, and the reverse:
 * reading a delivered payload into the event handed to the app. Defaults follow Dapr: source = app
 * id, type {@code com.dapr.event.sent}.
 */
public final class CloudEvents {

  public static final String CLOUDEVENT_CONTENT_TYPE = "application/cloudevents+json";
  public static final String DEFAULT_TYPE = "com.dapr.event.sent";
  public static final String SPEC_VERSION = "1.0";
  /** Publish/subscription metadata: bytes go to the broker (or to the app) without an envelope. */
  public static final String RAW_PAYLOAD = "rawPayload";
  /** Publish metadata: message time-to-live in seconds. */
  public static final String TTL_IN_SECONDS = "ttlInSeconds";

  /** Attributes the app gets as dedicated fields, not as extensions. */
  private static final Set<String> CORE_ATTRIBUTES = Set.of("id", "source", "type", "specversion",
      "datacontenttype", "data", "data_base64");

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Clock clock;

  public CloudEvents(Clock clock) {
    this.clock = clock;
  }

  public CloudEvents() {
    this(Clock.systemUTC());
  }

  /** The data is not usable as the envelope asked for (e.g. a malformed CloudEvent). */
  public static final class EnvelopeException extends RuntimeException {
    public EnvelopeException(String message) {
      super(message);
    }
  }

  /**
   * What a publisher sent.
   *
   * @param traceparent the W3C trace context of the publish call, if any
   * @param nativeTtl whether the component expires messages itself (no {@code expiration} field needed)
   */
  public record Publication(String pubsubName, String topic, byte[] data, String contentType,
      Map<String, String> metadata, String appId, @Nullable String traceparent, boolean nativeTtl) {}

  /** Whether metadata asks for the payload to travel without an envelope. */
  public static boolean isRaw(Map<String, String> metadata) {
    String raw = metadata.get(RAW_PAYLOAD);
    return raw != null && raw.trim().equalsIgnoreCase("true");
  }

  /**
   * The bytes to publish for {@code p}.
   *
   * @throws EnvelopeException when the content type promises a CloudEvent that the data is not
   */
  public byte[] envelope(Publication p) {
    if (isRaw(p.metadata())) {
      return p.data();
    }
    ObjectNode event;
    if (baseType(p.contentType()).equals(CLOUDEVENT_CONTENT_TYPE)) {
      event = parseCloudEvent(p.data());
      putIfMissing(event, "id", UUID.randomUUID().toString());
      putIfMissing(event, "source", source(p.appId()));
      putIfMissing(event, "type", DEFAULT_TYPE);
      putIfMissing(event, "specversion", SPEC_VERSION);
    } else {
      event = JSON.createObjectNode();
      event.put("id", UUID.randomUUID().toString());
      event.put("source", source(p.appId()));
      event.put("type", DEFAULT_TYPE);
      event.put("specversion", SPEC_VERSION);
      String contentType = p.contentType().isBlank() ? "text/plain" : p.contentType();
      event.put("datacontenttype", contentType);
      putData(event, p.data(), contentType);
    }
    event.put("topic", p.topic());
    event.put("pubsubname", p.pubsubName());
    if (p.traceparent() != null && !p.traceparent().isBlank()) {
      putIfMissing(event, "traceparent", p.traceparent());
      putIfMissing(event, "traceid", p.traceparent());
    }
    String ttl = p.metadata().get(TTL_IN_SECONDS);
    if (!p.nativeTtl() && ttl != null && ttl.trim().matches("\\d{1,9}")) {
      event.put("expiration", Instant.now(clock).plusSeconds(Long.parseLong(ttl.trim()))
          .truncatedTo(ChronoUnit.MILLIS).toString());
    }
    try {
      return JSON.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new EnvelopeException("cannot serialise the cloudevent: " + e.getOriginalMessage());
    }
  }

  /**
   * The event inside a delivered payload. A payload that is not a CloudEvent (or a subscription
   * asking for raw payloads) is wrapped into one so the app always gets an event.
   *
   * @param fallbackId the id of a wrapped raw payload (stable across redeliveries where the broker
   *     gives one)
   */
  public TopicEvent read(byte[] payload, String pubsubName, String topic, boolean raw, String fallbackId) {
    ObjectNode event = raw ? null : asCloudEvent(payload);
    if (event == null) {
      return new TopicEvent(fallbackId, "", DEFAULT_TYPE, SPEC_VERSION, "application/octet-stream", payload,
          topic, pubsubName, Map.of(), false);
    }
    String contentType = text(event, "datacontenttype");
    byte[] data;
    JsonNode base64 = event.get("data_base64");
    JsonNode value = event.get("data");
    if (base64 != null && base64.isTextual()) {
      try {
        data = Base64.getDecoder().decode(base64.asText());
      } catch (IllegalArgumentException e) {
        data = base64.asText().getBytes(StandardCharsets.UTF_8);
      }
    } else if (value == null || value.isNull()) {
      data = new byte[0];
    } else if (value.isTextual() && !isJson(contentType)) {
      data = value.asText().getBytes(StandardCharsets.UTF_8);
    } else {
      data = value.toString().getBytes(StandardCharsets.UTF_8);
    }
    Map<String, String> extensions = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : event.properties()) {
      if (!CORE_ATTRIBUTES.contains(e.getKey())) {
        extensions.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
      }
    }
    return new TopicEvent(text(event, "id"), text(event, "source"), text(event, "type"),
        text(event, "specversion"), contentType, data, topic, pubsubName, extensions, expired(event));
  }

  private boolean expired(ObjectNode event) {
    JsonNode expiration = event.get("expiration");
    if (expiration == null || !expiration.isTextual()) {
      return false;
    }
    try {
      return Instant.parse(expiration.asText()).isBefore(Instant.now(clock));
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** A JSON object carrying the required CloudEvents attributes, else null. */
  private static @Nullable ObjectNode asCloudEvent(byte[] payload) {
    if (payload.length == 0 || (payload[0] != '{' && !Character.isWhitespace(payload[0]))) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(payload);
      if (node instanceof ObjectNode object && object.path("id").isTextual()
          && object.path("specversion").isTextual()) {
        return object;
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static ObjectNode parseCloudEvent(byte[] data) {
    JsonNode node;
    try {
      node = JSON.readTree(data);
    } catch (IOException e) {
      throw new EnvelopeException("cannot create cloudevent: data is not valid JSON ("
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
    }
    if (!(node instanceof ObjectNode object)) {
      throw new EnvelopeException("cannot create cloudevent: data must be a JSON object when data_content_type is "
          + CLOUDEVENT_CONTENT_TYPE);
    }
    return object;
  }

  private static void putData(ObjectNode event, byte[] data, String contentType) {
    if (isJson(contentType)) {
      try {
        JsonNode parsed = data.length == 0 ? null : JSON.readTree(data);
        if (parsed != null && !parsed.isMissingNode()) {
          event.set("data", parsed);
          return;
        }
      } catch (IOException e) {
        // not JSON after all: carried as a string below, as Dapr does
      }
    }
    String text = isTextual(contentType) || isJson(contentType) ? utf8(data) : null;
    if (text != null) {
      event.put("data", text);
    } else {
      event.put("data_base64", Base64.getEncoder().encodeToString(data));
    }
  }

  private static @Nullable String utf8(byte[] data) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static String baseType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  static boolean isJson(String contentType) {
    String base = baseType(contentType);
    return base.equals("application/json") || base.equals("text/json")
        || (base.endsWith("+json") && !base.equals(CLOUDEVENT_CONTENT_TYPE));
  }

  private static boolean isTextual(String contentType) {
    String base = baseType(contentType);
    return base.isEmpty() || base.startsWith("text/") || base.equals("application/xml") || base.endsWith("+xml");
  }

  private static String source(String appId) {
    return appId.isBlank() ? "layotto" : appId;
  }

  private static void putIfMissing(ObjectNode event, String field, String value) {
    JsonNode existing = event.get(field);
    if (existing == null || existing.isNull() || (existing.isTextual() && existing.asText().isEmpty())) {
      event.put(field, value);
    }
  }

  private static String text(ObjectNode event, String field) {
    JsonNode v = event.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }
}
