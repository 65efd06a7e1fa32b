package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

class PayloadsAndRouterTest {

    private static final byte[] FILLER = new byte[64];

    @Test
    void payloadCarriesRunSequenceAndIntendedTimeAndKeepsItsSize() {
        byte[] payload = Payloads.make(7, 123_456_789L, -42L, FILLER);

        assertThat(payload).hasSize(64);
        assertThat(Payloads.read(payload)).isEqualTo(new Payloads.Stamp(7, 123_456_789L, -42L));
        assertThat(FILLER).containsOnly(0); // the filler is copied, not written into
        assertThat(Payloads.read(new byte[5])).isNull();
        assertThatThrownBy(() -> Payloads.make(1, 1, 1, new byte[10])).hasMessageContaining("at least 20 bytes");
    }

    @Test
    void firstDeliveriesAreLatenciesRedeliveriesAreDuplicatesAndEveryOutcomeFreesTheWindow() throws Exception {
        var router = new DeliveryRouter(64);
        var window = new Semaphore(0);
        DeliveryRun run = router.begin(window);

        router.received(Payloads.make(run.id(), 0, 1_000, FILLER), 3_000);
        router.received(Payloads.make(run.id(), 1, 2_000, FILLER), 2_500);
        router.received(Payloads.make(run.id(), 0, 1_000, FILLER), 9_000);
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
        var router = new DeliveryRouter(64);
        DeliveryRun warmup = router.begin(null);
        router.end(warmup);
        DeliveryRun measured = router.begin(null);

        router.received(Payloads.make(warmup.id(), 0, 0, FILLER), 1);
        router.received(Payloads.make(measured.id(), 0, 0, new byte[32]), 1);
        router.received(new byte[3], 1);

        DeliveryResult result = measured.finish(1, 0, 0);
        assertThat(router.strays()).isEqualTo(1);
        assertThat(result.corrupt()).isEqualTo(2);
        assertThat(result.delivered()).isZero();
        assertThat(result.unfinished()).isEqualTo(1);
        assertThat(result.firstError()).isEqualTo("corrupt delivery: 32 bytes, expected 64");
    }
}
