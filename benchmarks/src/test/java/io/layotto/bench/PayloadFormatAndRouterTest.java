package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PayloadFormatAndRouterTest {

    private static final PayloadFormat BINARY = PayloadFormat.BINARY;
    private static final byte[] FILLER = new byte[64];

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void payloadCarriesRunSequenceAndIntendedTimeAndKeepsItsSize(PayloadFormat format) {
        byte[] template = format.template(1024, new Random(1));
        byte[] untouched = template.clone();

        byte[] payload = format.make(7, 123_456_789L, -42L, template);

        assertThat(payload).hasSize(1024);
        assertThat(format.read(payload)).isEqualTo(new PayloadFormat.Stamp(7, 123_456_789L, -42L));
        assertThat(format.read(format.make(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, template)))
                .isEqualTo(new PayloadFormat.Stamp(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE));
        assertThat(template).isEqualTo(untouched); // the template is copied, not written into
        assertThat(format.read(new byte[5])).isNull();
        assertThatThrownBy(() -> format.make(1, 1, 1, new byte[format.minimumSize() - 1]))
                .hasMessageContaining("at least " + format.minimumSize() + " bytes");
    }

    @Test
    void jsonPayloadIsOneJsonObjectWithTheStampInItsFields() throws Exception {
        byte[] payload = PayloadFormat.JSON.make(7, 255, -1, PayloadFormat.JSON.template(200, new Random(2)));

        JsonNode json = new ObjectMapper().readTree(payload);
        assertThat(json.get("run").asText()).isEqualTo("00000007");
        assertThat(json.get("seq").asText()).isEqualTo("00000000000000ff");
        assertThat(json.get("sent").asText()).isEqualTo("ffffffffffffffff");
        assertThat(json.get("fill").asText()).hasSize(200 - PayloadFormat.JSON.minimumSize()).matches("[A-Za-z0-9]+");
        assertThat(PayloadFormat.JSON.contentType()).isEqualTo("application/json");
    }

    @Test
    void jsonPayloadWithAnotherLayoutCarriesNoStamp() {
        byte[] payload = PayloadFormat.JSON.make(7, 1, 1, PayloadFormat.JSON.template(200, new Random(3)));
        byte[] reformatted = new String(payload, StandardCharsets.US_ASCII).replace("{\"run\"", "{ \"run\"")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] notHex = payload.clone();
        notHex[10] = 'x';

        assertThat(PayloadFormat.JSON.read(reformatted)).isNull();
        assertThat(PayloadFormat.JSON.read(notHex)).isNull();
        assertThat(PayloadFormat.JSON.read(BINARY.make(7, 1, 1, new byte[200]))).isNull();
    }

    @Test
    void firstDeliveriesAreLatenciesRedeliveriesAreDuplicatesAndEveryOutcomeFreesTheWindow() throws Exception {
        var router = new DeliveryRouter(BINARY, 64);
        var window = new Semaphore(0);
        DeliveryRun run = router.begin(window);

        router.received(BINARY.make(run.id(), 0, 1_000, FILLER), 3_000);
        router.received(BINARY.make(run.id(), 1, 2_000, FILLER), 2_500);
        router.received(BINARY.make(run.id(), 0, 1_000, FILLER), 9_000);
        run.publishFailed(new IllegalStateException("broker said no"));

        assertThat(run.awaitOutcomes(3, java.time.Duration.ofSeconds(1))).isTrue();
        DeliveryResult result = run.finish(3, 0, 10);
        assertThat(result.delivered()).isEqualTo(2);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.publishErrors()).isEqualTo(1);
        assertThat(result.unfinished()).isZero();
        assertThat(result.latency().count()).isEqualTo(2);
        assertThat(result.latency().max()).isBetween(1_990L, 2_010L);
        assertThat(result.firstError()).isEqualTo("publish: IllegalStateException: broker said no");
        assertThat(result.clean()).isFalse();
        assertThat(window.availablePermits()).isEqualTo(3);
    }

    @Test
    void deliveriesOfEarlierRunsAreStraysAndWrongBytesAreCorrupt() {
        var router = new DeliveryRouter(BINARY, 64);
        DeliveryRun warmup = router.begin(null);
        router.end(warmup);
        DeliveryRun measured = router.begin(null);

        router.received(BINARY.make(warmup.id(), 0, 0, FILLER), 1);
        router.received(BINARY.make(measured.id(), 0, 0, new byte[32]), 1);
        router.received(new byte[3], 1);

        DeliveryResult result = measured.finish(1, 0, 0);
        assertThat(router.strays()).isEqualTo(1);
        assertThat(result.corrupt()).isEqualTo(2);
        assertThat(result.delivered()).isZero();
        assertThat(result.unfinished()).isEqualTo(1);
        assertThat(result.firstError()).isEqualTo("corrupt delivery: 32 bytes, expected 64");
    }
}
