package io.layotto.runtime.pubsub;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
  private static final EventIds IDS = new EventIds();

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
      putIfMissing(event, "id", IDS.next());
      putIfMissing(event, "source", source(p.appId()));
      putIfMissing(event, "type", DEFAULT_TYPE);
      putIfMissing(event, "specversion", SPEC_VERSION);
    } else {
      event = JSON.createObjectNode();
      event.put("id", IDS.next());
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
    return read(payload, pubsubName, topic, raw, () -> fallbackId);
  }

  /** As {@link #read(byte[], String, String, boolean, String)}; the fallback id is made only when needed. */
  public TopicEvent read(byte[] payload, String pubsubName, String topic, boolean raw, Supplier<String> fallbackId) {
    Envelope event = raw ? null : Envelope.parse(payload);
    if (event == null) {
      return new TopicEvent(fallbackId.get(), "", DEFAULT_TYPE, SPEC_VERSION, "application/octet-stream", payload,
          topic, pubsubName, Map.of(), false);
    }
    String contentType = event.text("datacontenttype");
    byte[] data;
    String base64 = event.strings.get("data_base64");
    if (event.base64End > 0) {
      data = decodeBase64(payload, event.base64Start, event.base64End);
    } else if (base64 != null) {
      try {
        data = Base64.getDecoder().decode(base64);
      } catch (IllegalArgumentException e) {
        data = base64.getBytes(StandardCharsets.UTF_8);
      }
    } else if (event.strings.containsKey("data")) {
      String text = event.strings.get("data");
      data = (isJson(contentType) ? JSON.getNodeFactory().textNode(text).toString() : text)
          .getBytes(StandardCharsets.UTF_8);
    } else if (event.rawData != null) {
      data = event.rawData;
    } else {
      JsonNode value = event.nodes.get("data");
      data = value == null || value.isNull() ? new byte[0] : value.toString().getBytes(StandardCharsets.UTF_8);
    }
    return new TopicEvent(event.text("id"), event.text("source"), event.text("type"), event.text("specversion"),
        contentType, data, topic, pubsubName, event.extensions, expired(event.strings.get("expiration")));
  }

  /**
   * The bytes {@code payload[start, end)} (a JSON string without escapes) decode to, or those bytes
   * themselves when they are not base64: as Java's decoder reads the string's text, without making it.
   */
  private static byte[] decodeBase64(byte[] payload, int start, int end) {
    try {
      ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(payload, start, end - start));
      byte[] array = decoded.array();
      return decoded.arrayOffset() == 0 && decoded.remaining() == array.length ? array
          : Arrays.copyOfRange(array, decoded.arrayOffset() + decoded.position(),
              decoded.arrayOffset() + decoded.limit());
    } catch (IllegalArgumentException e) {
      return Arrays.copyOfRange(payload, start, end);
    }
  }

  private boolean expired(@Nullable String expiration) {
    if (expiration == null) {
      return false;
    }
    try {
      return Instant.parse(expiration).isBefore(Instant.now(clock));
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /**
   * A delivered envelope read with the streaming parser: this runs for every delivery, and a tree
   * of the whole event (with {@code data_base64} as a text node) cost a node and a copy per field.
   * String attributes are kept as strings, any other value as a tree, so every attribute reads as
   * {@link JsonNode#asText()} of a tree would (the last of duplicate names wins, as in a tree).
   */
  private static final class Envelope {
    final Map<String, String> strings = new HashMap<>();
    final Map<String, JsonNode> nodes = new HashMap<>();
    final Map<String, String> extensions = new LinkedHashMap<>();
    /** A non-null, non-string {@code data} as its bytes in the payload (no tree: it is passed on as is). */
    byte @Nullable [] rawData;
    /**
     * Where a {@code data_base64} string without escapes lies in the payload (end 0: none such). It
     * is decoded from there: as a Java string it was made, copied and read again, which cost most
     * of a delivery's parsing.
     */
    int base64Start;
    int base64End;

    /** The envelope if the payload is a JSON object with textual id and specversion, else null. */
    static @Nullable Envelope parse(byte[] payload) {
      if (payload.length == 0 || (payload[0] != '{' && !Character.isWhitespace(payload[0]))) {
        return null;
      }
      Envelope event = new Envelope();
      try (JsonParser parser = JSON.createParser(payload)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
          JsonToken token = parser.nextToken();
          event.strings.remove(name);
          event.nodes.remove(name);
          if (name.equals("data_base64")) {
            event.base64End = 0;
            if (token == JsonToken.VALUE_STRING && event.findUnescapedString(payload,
                parser.currentTokenLocation().getByteOffset())) {
              continue; // the parser skips the string's content without making a String of it
            }
          }
          if (name.equals("data")) {
            event.rawData = null;
            long start = parser.currentTokenLocation().getByteOffset();
            if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NULL && start >= 0) {
              parser.skipChildren();
              event.rawData = Arrays.copyOfRange(payload, (int) start, (int) parser.currentLocation().getByteOffset());
              continue;
            }
          }
          if (token == JsonToken.VALUE_STRING) {
            String value = parser.getText();
            event.strings.put(name, value);
            if (!CORE_ATTRIBUTES.contains(name)) {
              event.extensions.put(name, value);
            }
          } else {
            JsonNode value = JSON.readTree(parser);
            event.nodes.put(name, value);
            if (!CORE_ATTRIBUTES.contains(name)) {
              event.extensions.put(name, value.isValueNode() ? value.asText() : value.toString());
            }
          }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
          return null;
        }
      } catch (IOException e) {
        return null;
      }
      return event.strings.containsKey("id") && event.strings.containsKey("specversion") ? event : null;
    }

    /**
     * Records the string whose opening quote is at {@code quote} if it has no escape sequence (base64
     * has none; a writer may still escape, e.g. '/' as "\/"); false when it does or the offset is unknown.
     */
    boolean findUnescapedString(byte[] payload, long quote) {
      if (quote < 0 || quote >= payload.length || payload[(int) quote] != '"') {
        return false;
      }
      for (int i = (int) quote + 1; i < payload.length; i++) {
        if (payload[i] == '"') {
          base64Start = (int) quote + 1;
          base64End = i;
          return true;
        }
        if (payload[i] == '\\') {
          return false;
        }
      }
      return false;
    }

    /** The attribute as text ({@link JsonNode#asText()}), "" when missing or null. */
    String text(String field) {
      String value = strings.get(field);
      if (value != null) {
        return value;
      }
      JsonNode node = nodes.get(field);
      return node == null || node.isNull() ? "" : node.asText();
    }
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
    boolean json = isJson(contentType);
    String text = isTextual(contentType) || json ? utf8(data) : null;
    if (json && text != null && isOneJsonValue(data)) {
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1); // a byte order mark is not JSON whitespace inside the envelope
      }
      // embedded as sent: checking it costs a token scan, where a tree and its re-serialisation
      // cost four times the whole envelope of a binary payload (CloudEventsBenchmark)
      event.putRawValue("data", new RawValue(text));
      return;
    }
    // anything else (JSON content that is not JSON after all included) is carried as a string, as Dapr does
    if (text != null) {
      event.put("data", text);
    } else {
      // a binary node is base64-encoded by the generator (same alphabet and padding as
      // Base64.getEncoder()) straight into the output, without an intermediate string
      event.put("data_base64", data);
    }
  }

  /** Whether {@code data} is exactly one JSON value (whitespace around it allowed). */
  private static boolean isOneJsonValue(byte[] data) {
    try (JsonParser parser = JSON.createParser(data)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
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
}
