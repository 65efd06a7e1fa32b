package io.layotto.runtime.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudEventsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private final CloudEvents events = new CloudEvents(Clock.fixed(NOW, ZoneOffset.UTC));

  private JsonNode envelope(String data, String contentType, Map<String, String> metadata, String traceparent) {
    return envelope(data.getBytes(StandardCharsets.UTF_8), contentType, metadata, traceparent, false);
  }

  private JsonNode envelope(byte[] data, String contentType, Map<String, String> metadata, String traceparent,
      boolean nativeTtl) {
    try {
      return JSON.readTree(events.envelope(new CloudEvents.Publication("ps", "orders", data, contentType, metadata,
          "shop", traceparent, nativeTtl)));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void jsonDataIsEmbeddedAsJsonWithDaprDefaults() {
    JsonNode e = envelope("{\"a\":1}", "application/json", Map.of(), null);

    assertThat(e.get("id").asText()).hasSize(36);
    assertThat(e.get("source").asText()).isEqualTo("shop");
    assertThat(e.get("type").asText()).isEqualTo("com.dapr.event.sent");
    assertThat(e.get("specversion").asText()).isEqualTo("1.0");
    assertThat(e.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(e.get("data").get("a").asInt()).isEqualTo(1);
    assertThat(e.get("topic").asText()).isEqualTo("orders");
    assertThat(e.get("pubsubname").asText()).isEqualTo("ps");
    assertThat(e.has("traceparent")).isFalse();
    assertThat(e.has("expiration")).isFalse();
  }

  @Test
  void invalidJsonUnderJsonContentTypeTravelsAsString() {
    assertThat(envelope("not json", "application/json; charset=utf-8", Map.of(), null).get("data").asText())
        .isEqualTo("not json");
  }

  @Test
  void textDefaultsToTextPlainAndBinaryGoesToDataBase64() {
    JsonNode text = envelope("hello", "", Map.of(), null);
    assertThat(text.get("datacontenttype").asText()).isEqualTo("text/plain");
    assertThat(text.get("data").asText()).isEqualTo("hello");

    byte[] bytes = {0, (byte) 0xff, 1, 2};
    JsonNode binary = envelope(bytes, "application/octet-stream", Map.of(), null, false);
    assertThat(binary.has("data")).isFalse();
    assertThat(Base64.getDecoder().decode(binary.get("data_base64").asText())).isEqualTo(bytes);
  }

  @Test
  void cloudEventInputPassesThroughWithTopicAndPubsubSet() {
    JsonNode e = envelope("{\"id\":\"my-id\",\"source\":\"s\",\"type\":\"t\",\"specversion\":\"1.0\","
        + "\"data\":\"x\",\"topic\":\"other\",\"custom\":\"c\"}", "application/cloudevents+json", Map.of(), null);

    assertThat(e.get("id").asText()).isEqualTo("my-id");
    assertThat(e.get("source").asText()).isEqualTo("s");
    assertThat(e.get("type").asText()).isEqualTo("t");
    assertThat(e.get("topic").asText()).isEqualTo("orders");
    assertThat(e.get("pubsubname").asText()).isEqualTo("ps");
    assertThat(e.get("custom").asText()).isEqualTo("c");
  }

  @Test
  void cloudEventInputGetsMissingAttributes() {
    JsonNode e = envelope("{\"data\":1}", "Application/CloudEvents+JSON; charset=utf-8", Map.of(), null);

    assertThat(e.get("id").asText()).isNotEmpty();
    assertThat(e.get("source").asText()).isEqualTo("shop");
    assertThat(e.get("type").asText()).isEqualTo("com.dapr.event.sent");
    assertThat(e.get("specversion").asText()).isEqualTo("1.0");
  }

  @Test
  void malformedCloudEventIsRejected() {
    assertThatThrownBy(() -> envelope("[1]", "application/cloudevents+json", Map.of(), null))
        .isInstanceOf(CloudEvents.EnvelopeException.class).hasMessageContaining("cannot create cloudevent");
    assertThatThrownBy(() -> envelope("{", "application/cloudevents+json", Map.of(), null))
        .isInstanceOf(CloudEvents.EnvelopeException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void rawPayloadIsSentUntouched() {
    byte[] data = {1, 2, 3};
    assertThat(events.envelope(new CloudEvents.Publication("ps", "t", data, "application/json",
        Map.of("rawPayload", "true"), "shop", "00-trace", false))).isEqualTo(data);
  }

  @Test
  void traceparentIsCarried() {
    JsonNode e = envelope("x", "text/plain", Map.of(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    assertThat(e.get("traceparent").asText()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(e.get("traceid").asText()).isEqualTo(e.get("traceparent").asText());
  }

  @Test
  void ttlBecomesExpirationUnlessTheBrokerExpiresItself() {
    assertThat(envelope("x", "text/plain", Map.of("ttlInSeconds", "60"), null).get("expiration").asText())
        .isEqualTo("2026-01-02T03:05:05Z");
    assertThat(envelope("x".getBytes(), "text/plain", Map.of("ttlInSeconds", "60"), null, true).has("expiration"))
        .isFalse();
  }

  @Test
  void readGivesTheAppTheEventFields() {
    byte[] payload = events.envelope(new CloudEvents.Publication("ps", "orders",
        "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json", Map.of(), "shop", "00-tp", false));
    String id = JSON.valueToTree(readTree(payload)).get("id").asText();

    TopicEvent event = events.read(payload, "ps", "orders", false, "fallback");

    assertThat(event.id()).isEqualTo(id);
    assertThat(event.source()).isEqualTo("shop");
    assertThat(event.type()).isEqualTo("com.dapr.event.sent");
    assertThat(event.specVersion()).isEqualTo("1.0");
    assertThat(event.dataContentType()).isEqualTo("application/json");
    assertThat(new String(event.data(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(event.extensions()).containsEntry("traceparent", "00-tp").containsEntry("topic", "orders")
        .containsEntry("pubsubname", "ps");
    assertThat(event.expired()).isFalse();
  }

  @Test
  void readDecodesBase64AndText() {
    byte[] bytes = {0, (byte) 0x80, 7};
    byte[] binary = events.envelope(new CloudEvents.Publication("ps", "t", bytes, "application/octet-stream",
        Map.of(), "shop", null, false));
    assertThat(events.read(binary, "ps", "t", false, "f").data()).isEqualTo(bytes);

    byte[] text = events.envelope(new CloudEvents.Publication("ps", "t", "héllo".getBytes(StandardCharsets.UTF_8),
        "text/plain", Map.of(), "shop", null, false));
    assertThat(new String(events.read(text, "ps", "t", false, "f").data(), StandardCharsets.UTF_8)).isEqualTo("héllo");
  }

  @Test
  void rawPayloadsAreWrappedIntoAnEvent() {
    byte[] raw = "plain bytes".getBytes(StandardCharsets.UTF_8);

    TopicEvent event = events.read(raw, "ps", "t", false, "msg-7");
    assertThat(event.id()).isEqualTo("msg-7");
    assertThat(event.data()).isEqualTo(raw);
    assertThat(event.dataContentType()).isEqualTo("application/octet-stream");
    assertThat(event.topic()).isEqualTo("t");
    assertThat(event.pubsubName()).isEqualTo("ps");

    byte[] cloudEvent = events.envelope(new CloudEvents.Publication("ps", "t", raw, "text/plain", Map.of(), "a",
        null, false));
    assertThat(events.read(cloudEvent, "ps", "t", true, "m").data()).isEqualTo(cloudEvent);
  }

  @Test
  void expirationInThePastMarksTheEventExpired() {
    CloudEvents earlier = new CloudEvents(Clock.fixed(NOW.minusSeconds(120), ZoneOffset.UTC));
    byte[] payload = earlier.envelope(new CloudEvents.Publication("ps", "t", "x".getBytes(), "text/plain",
        Map.of("ttlInSeconds", "60"), "a", null, false));

    assertThat(events.read(payload, "ps", "t", false, "f").expired()).isTrue();
    assertThat(earlier.read(payload, "ps", "t", false, "f").expired()).isFalse();
  }

  @Test
  void readTakesAttributesOfAnyJsonTypeAsATreeWouldGiveThem() {
    byte[] payload = """
        {"specversion":"1.0","id":"e-1","source":7,"type":null,"datacontenttype":"application/json",
         "data":"quoted","n":1.5,"flag":true,"obj":{"k":[1,"x"]},"nothing":null,"ext":"first","ext":"last",
         "expiration":"2026-01-02T03:04:04Z"} trailing"""
        .getBytes(StandardCharsets.UTF_8);

    TopicEvent event = events.read(payload, "ps", "t", false, () -> {
      throw new AssertionError("a CloudEvent needs no fallback id");
    });

    assertThat(event.id()).isEqualTo("e-1");
    assertThat(event.source()).isEqualTo("7");
    assertThat(event.type()).isEmpty();
    // a JSON string under a JSON content type is handed over as JSON text, quotes included
    assertThat(new String(event.data(), StandardCharsets.UTF_8)).isEqualTo("\"quoted\"");
    assertThat(event.extensions()).containsEntry("n", "1.5").containsEntry("flag", "true")
        .containsEntry("obj", "{\"k\":[1,\"x\"]}").containsEntry("nothing", "null").containsEntry("ext", "last")
        .doesNotContainKeys("id", "source", "type", "specversion", "datacontenttype", "data");
    assertThat(event.expired()).isTrue();
  }

  @Test
  void jsonDataTravelsAsSentAndComesBackByteForByte() {
    for (String json : new String[] {"{ \"a\" : [1, 2.50, {\"b\":null}], \"s\":\"\\u00e9\\\"}\" }", "[true,false]",
        "1.0E10", "true", "\"just a string\"", "{\"k\":\"v\",\"k\":\"w\"}", " {\"padded\":1}\n"}) {
      byte[] payload = events.envelope(new CloudEvents.Publication("ps", "t", json.getBytes(StandardCharsets.UTF_8),
          "application/json", Map.of(), "shop", null, false));

      // the envelope stays valid JSON with the value embedded, not quoted
      JsonNode envelope = readTree(payload);
      assertThat(envelope.get("data").isTextual()).as(json).isEqualTo(json.startsWith("\""));
      assertThat(new String(events.read(payload, "ps", "t", false, "f").data(), StandardCharsets.UTF_8)).as(json)
          .isEqualTo(json.strip());
    }
  }

  @Test
  void jsonContentThatIsNotOneJsonValueTravelsAsAString() {
    for (String notJson : new String[] {"{\"a\":1} {\"b\":2}", "{\"a\":", "", "   ", "nul"}) {
      JsonNode envelope = envelope(notJson, "application/json", Map.of(), null);
      assertThat(envelope.get("data").isTextual()).as(notJson).isTrue();
      assertThat(envelope.get("data").asText()).as(notJson).isEqualTo(notJson);
    }
    byte[] invalidUtf8 = {'"', (byte) 0xC3, '"'};
    JsonNode binary = readTree(events.envelope(new CloudEvents.Publication("ps", "t", invalidUtf8, "application/json",
        Map.of(), "shop", null, false)));
    assertThat(binary.has("data")).isFalse();
    assertThat(java.util.Base64.getDecoder().decode(binary.get("data_base64").asText())).isEqualTo(invalidUtf8);
  }

  @Test
  void aByteOrderMarkBeforeJsonDataIsLeftOutOfTheEnvelope() {
    byte[] withByteOrderMark = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', '1', ']'};
    byte[] envelope = events.envelope(new CloudEvents.Publication("ps", "t", withByteOrderMark, "application/json",
        Map.of(), "shop", null, false));
    assertThat(readTree(envelope).get("data").isArray()).isTrue();
    assertThat(events.read(envelope, "ps", "t", false, "f").data()).isEqualTo("[1]".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readPassesNonStringDataOnAsItAppearsInTheEnvelope() {
    String envelope = "{\"specversion\":\"1.0\",\"id\":\"e\",\"datacontenttype\":\"application/json\","
        + "\"data\" :  {\"x\": [1, {\"y\":\"}\"}]}  ,\"after\":\"z\"}";
    TopicEvent event = events.read(envelope.getBytes(StandardCharsets.UTF_8), "ps", "t", false, "f");
    assertThat(new String(event.data(), StandardCharsets.UTF_8)).isEqualTo("{\"x\": [1, {\"y\":\"}\"}]}");
    assertThat(event.extensions()).containsEntry("after", "z");

    for (String value : new String[] {"-12.5e3", "false", "[]", "null"}) {
      byte[] payload = ("{\"id\":\"e\",\"specversion\":\"1.0\",\"data\":" + value + "}").getBytes(StandardCharsets.UTF_8);
      assertThat(new String(events.read(payload, "ps", "t", false, "f").data(), StandardCharsets.UTF_8)).as(value)
          .isEqualTo(value.equals("null") ? "" : value);
    }
    // the last of duplicate data fields wins, whatever their types
    byte[] twice = "{\"id\":\"e\",\"specversion\":\"1.0\",\"data\":{\"a\":1},\"data\":\"s\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(new String(events.read(twice, "ps", "t", false, "f").data(), StandardCharsets.UTF_8)).isEqualTo("s");
  }

  @Test
  void readFallsBackToARawEventWhenTheEnvelopeIsIncomplete() {
    for (String notAnEvent : new String[] {"{\"id\":\"x\"}", "{\"id\":1,\"specversion\":\"1.0\"}",
        "{\"id\":\"x\",\"specversion\":\"1.0\"", " [1]", "{", "   "}) {
      byte[] payload = notAnEvent.getBytes(StandardCharsets.UTF_8);
      TopicEvent event = events.read(payload, "ps", "t", false, () -> "fallback");
      assertThat(event.id()).as(notAnEvent).isEqualTo("fallback");
      assertThat(event.data()).as(notAnEvent).isEqualTo(payload);
    }
  }

  @Test
  void readDataVariants() {
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"not base64!\"}"),
        "ps", "t", false, "f").data()).isEqualTo("not base64!".getBytes(StandardCharsets.UTF_8));
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":5,\"data\":\"t\"}"),
        "ps", "t", false, "f").data()).isEqualTo("t".getBytes(StandardCharsets.UTF_8));
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data\":null}"), "ps", "t", false, "f")
        .data()).isEmpty();
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data\":[1, 2]}"), "ps", "t", false, "f")
        .data()).isEqualTo("[1, 2]".getBytes(StandardCharsets.UTF_8)); // as it appears, not re-serialised
  }

  @Test
  void base64DataReadsAsJavasDecoderReadsIt() throws Exception {
    byte[] large = new byte[70_000];
    new java.util.Random(7).nextBytes(large);
    byte[] envelope = events.envelope(new CloudEvents.Publication("ps", "t", large, "application/octet-stream",
        Map.of(), "shop", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false));
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(envelope).get("data_base64").asText()).isEqualTo(Base64.getEncoder().encodeToString(large));
    assertThat(events.read(envelope, "ps", "t", false, "f").data()).isEqualTo(large);

    // unpadded, as some publishers write it
    TopicEvent unpadded = events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"aGk\","
        + "\"ext\":\"x\"}"), "ps", "t", false, "f");
    assertThat(unpadded.data()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    assertThat(unpadded.extensions()).containsEntry("ext", "x");
    // escaped characters inside the string are base64 too
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"aG\\u006b=\"}"),
        "ps", "t", false, "f").data()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    // '/' escaped as some JSON writers do, and a text that is not base64 (its UTF-8 bytes)
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"\\/\\/8=\"}"),
        "ps", "t", false, "f").data()).isEqualTo(new byte[] {(byte) 0xff, (byte) 0xff});
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"//8=\"}"),
        "ps", "t", false, "f").data()).isEqualTo(new byte[] {(byte) 0xff, (byte) 0xff});
    assertThat(events.read(json("{\"data_base64\":\"h\u00e9llo\",\"id\":\"a\",\"specversion\":\"1.0\"}"),
        "ps", "t", false, "f").data()).isEqualTo("h\u00e9llo".getBytes(StandardCharsets.UTF_8));
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"\"}"),
        "ps", "t", false, "f").data()).isEmpty();
    // the last of duplicate names wins, whatever the type of each
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"aGk=\","
        + "\"data_base64\":7,\"data\":\"t\"}"), "ps", "t", false, "f").data())
        .isEqualTo("t".getBytes(StandardCharsets.UTF_8));
    assertThat(events.read(json("{\"id\":\"a\",\"specversion\":\"1.0\",\"data_base64\":\"!!\","
        + "\"data_base64\":\"aGk=\"}"), "ps", "t", false, "f").data())
        .isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void generatedIdsAreDistinctVersion4Uuids() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = readTree(events.envelope(new CloudEvents.Publication("ps", "t", new byte[] {1}, "text/plain",
          Map.of(), "a", null, false))).get("id").asText();
      java.util.UUID uuid = java.util.UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode readTree(byte[] payload) {
    try {
      return JSON.readTree(payload);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
