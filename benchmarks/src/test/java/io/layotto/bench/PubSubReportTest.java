package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layotto.bench.PubSubReport.BackendResults;
import io.layotto.bench.PubSubReport.Measurement;
import io.layotto.bench.PubSubReport.Phase;
import io.layotto.bench.ResourceSampler.ResourceUse;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PubSubReportTest {

    private static final long MS = 1_000_000;

    @Test
    void goalsAreJudgedPerBackendFromTheRightPhase() {
        var results = List.of(
                backend(Backend.IN_MEMORY, measured(MS * 3 / 2, 1000, 0), null, measured(2 * MS, 9000, 0), null),
                backend(Backend.REDIS, measured(3 * MS, 1000, 0), measured(MS * 5 / 2, 1000, 0),
                        measured(5 * MS, 6000, 0), measured(3 * MS, 10_000, 0)),
                backend(Backend.JETSTREAM, measured(9 * MS, 1000, 0), measured(2 * MS, 1000, 0),
                        measured(5 * MS, 4000, 0), measured(3 * MS, 10_000, 0)));

        List<Report.Goal> goals = PubSubReport.goals(results);

        assertThat(goals).extracting(Report.Goal::name).containsExactly(
                "in-memory: end-to-end p99 at the fixed rate <= 2 ms",
                "redis: sidecar adds <= 1 ms to p99 at the fixed rate",
                "redis: saturated throughput >= 50 % of direct",
                "jetstream: saturated throughput >= 50 % of direct");
        assertThat(goals).extracting(Report.Goal::met).containsExactly(true, true, true, false);
        assertThat(goals.get(1).measured()).startsWith("+0.5");
        assertThat(goals.get(3).measured()).startsWith("40.0 %");
    }

    @Test
    void aGoalIsNotMetWhenTheSidecarLostMessagesAndNotMeasuredWithoutDirect() {
        var results = List.of(
                backend(Backend.IN_MEMORY, measured(MS, 1000, 3), null, measured(MS, 9000, 0), null),
                backend(Backend.REDIS, measured(MS, 1000, 0), null, measured(MS, 9000, 0), null));

        List<Report.Goal> goals = PubSubReport.goals(results);

        assertThat(goals).extracting(Report.Goal::met).containsExactly(false, null, null);
        assertThat(goals.get(0).measured()).contains("lost messages");
    }

    @Test
    void rendersTablesResourcesAndGoals() {
        var sidecarFixed = new Measurement(result(MS * 3 / 2, 1000, 0), new ResourceUse(3.0, 30.0, 204_800, 102_400),
                new ResourceUse(1.5, 30.0, 1, 1));
        var results = List.of(new BackendResults(Backend.REDIS, "sidecar calls", "direct calls",
                new Phase("Fixed rate 1,000 msg/s", sidecarFixed, measured(MS, 1000, 0)),
                new Phase("Saturation, 1,000 messages outstanding", measured(MS, 5000, 0), measured(MS, 8000, 0))));
        var facts = new MachineFacts(2, "cpu", "jdk 25", "Linux", "Redis 7.0, NATS 2.9", "0.1 0.2 0.3");
        var settings = new PubSubReport.Settings(PayloadFormat.JSON, 1024, 1000, Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 1000, 16);

        String md = PubSubReport.render(facts, settings, results, "0.4 0.5 0.6");

        assertThat(md).contains("## redis", "### Fixed rate 1,000 msg/s", "| p99 (ms) | 1.500 | 1.000 | 1.50× |",
                "| delivered (msg/s) | 1,000 | 1,000 | 100.0 % |", "0.100 CPU s per 1,000 messages",
                "RSS peak 200 MiB, end 100 MiB",
                "1024-byte json payloads (published as application/json)", "Redis 7.0, NATS 2.9", "at end: 0.4 0.5 0.6",
                "each target of a backend ran 20 s at saturation (JIT warm-up, not reported)",
                "| redis: saturated throughput >= 50 % of direct | 62.5 % (5,000 vs 8,000 msg/s) | met |",
                "| redis: sidecar adds <= 1 ms to p99 at the fixed rate | +0.500 ms (p99 1.500 vs 1.000 ms) | met |");
    }

    @Test
    void sidecarConfigHasOnePubSubPerBackendWithTheSameMaxConcurrency() throws Exception {
        var benchmark = new PubSubBenchmark();
        benchmark.backends = List.of(Backend.IN_MEMORY, Backend.REDIS, Backend.JETSTREAM);
        benchmark.maxInFlight = 8;

        JsonNode config = new ObjectMapper().readTree(SidecarProcess.config(benchmark.grpcConfig(0), 41000, 41001));

        JsonNode pubSubs = config.at("/servers/0/listeners/0/filter_chains/0/filters/0/config/grpc_config/pub_subs");
        assertThat(pubSubs.at("/bench_memory/type").asText()).isEqualTo("in-memory");
        assertThat(pubSubs.at("/bench_redis/metadata/redisHost").asText()).isEqualTo("127.0.0.1:6379");
        assertThat(pubSubs.at("/bench_jetstream/metadata/natsURL").asText()).isEqualTo("nats://127.0.0.1:4222");
        assertThat(pubSubs.findValuesAsText("maxConcurrency")).containsExactly("8", "8", "8");
        assertThat(Backend.parse(" Redis")).isEqualTo(Backend.REDIS);
        assertThat(config.at("/servers/0/listeners/0/filter_chains/0/filters/0/config/grpc_config/app").isMissingNode())
                .as("no app callback for streaming delivery").isTrue();
    }

    @Test
    void callbackDeliveryNamesTheAppsCallbackPort() throws Exception {
        var benchmark = new PubSubBenchmark();
        benchmark.backends = List.of(Backend.IN_MEMORY);

        JsonNode config = new ObjectMapper().readTree(SidecarProcess.config(benchmark.grpcConfig(43210), 41000, 41001));

        JsonNode app = config.at("/servers/0/listeners/0/filter_chains/0/filters/0/config/grpc_config/app");
        assertThat(app.at("/grpc_callback_port").asInt()).isEqualTo(43210);
        assertThat(app.at("/app_id").asText()).isNotEmpty();
    }

    private static BackendResults backend(Backend backend, Measurement fixedSidecar, Measurement fixedDirect,
            Measurement saturationSidecar, Measurement saturationDirect) {
        return new BackendResults(backend, "sidecar", fixedDirect == null ? null : "direct",
                new Phase("fixed", fixedSidecar, fixedDirect), new Phase("saturation", saturationSidecar, saturationDirect));
    }

    private static Measurement measured(long p99Nanos, double perSecond, long lost) {
        return new Measurement(result(p99Nanos, perSecond, lost), null, null);
    }

    private static DeliveryResult result(long p99Nanos, double perSecond, long lost) {
        var histogram = new Histogram(3);
        histogram.recordValueWithCount(p99Nanos, 1000);
        return new DeliveryResult(LatencySummary.of(histogram), 30_000, 30_000 - lost, 0, 0, 0, lost, perSecond, null);
    }
}
