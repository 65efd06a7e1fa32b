package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.bench.Report.Measurement;
import io.layotto.bench.Report.PhaseResults;
import io.layotto.bench.ResourceSampler.ResourceUse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final long MS = 1_000_000;

    @Test
    void formatsMillisecondsRatiosAndPercentages() {
        assertThat(Report.ms(1_234_567)).isEqualTo("1.235");
        assertThat(Report.ratio(3, 2)).isEqualTo("1.50×");
        assertThat(Report.ratio(3, 0)).isEqualTo("—");
        assertThat(Report.percent(45, 60)).isEqualTo("75.0 %");
        assertThat(Report.perSecond(12_345.6)).isEqualTo("12,346");
    }

    @Test
    void summaryReadsPercentilesFromTheHistogram() {
        var histogram = new Histogram(3);
        for (long micros = 1; micros <= 1000; micros++) {
            histogram.recordValue(micros * 1000);
        }
        LatencySummary summary = LatencySummary.of(histogram);

        assertThat(summary.count()).isEqualTo(1000);
        assertThat(summary.p50()).isBetween(499_000L, 501_000L);
        assertThat(summary.p99()).isBetween(989_000L, 991_000L);
        assertThat(summary.max()).isBetween(999_000L, 1_001_000L);
        assertThat(LatencySummary.of(new Histogram(3)).count()).isZero();
    }

    @Test
    void goalsAreMetWhenTheSidecarStaysWithinBounds() {
        var phases = List.of(
                new PhaseResults(new Phase.FixedRate(1000),
                        new Measurement(run(1 * MS, 30_000, 0), new ResourceUse(3.0, 30.0, 200_000, 190_000)),
                        new Measurement(run(MS * 8 / 10, 30_000, 0), null)),
                new PhaseResults(new Phase.Saturation(64),
                        new Measurement(run(5 * MS, 70_000, 0), new ResourceUse(50.0, 30.0, 300_000, 300_000)),
                        new Measurement(run(3 * MS, 100_000, 0), null)));

        List<Report.Goal> goals = Report.goals(phases);

        assertThat(goals).extracting(Report.Goal::met).containsExactly(true, true, true);
        assertThat(goals.get(0).measured()).isEqualTo("set +0.200 ms, get +0.200 ms");
        assertThat(goals.get(1).measured()).isEqualTo("0.100 vCPU");
        assertThat(goals.get(2).measured()).startsWith("70.0 %");
    }

    @Test
    void goalsAreNotMetWhenTheSidecarIsSlowOrFailsAndNotMeasuredWhenMissing() {
        var slow = List.of(
                new PhaseResults(new Phase.FixedRate(1000),
                        new Measurement(run(2 * MS, 30_000, 0), new ResourceUse(6.0, 30.0, 1, 1)),
                        new Measurement(run(1 * MS, 30_000, 0), null)),
                new PhaseResults(new Phase.Saturation(64),
                        new Measurement(run(5 * MS, 90_000, 3), null),
                        new Measurement(run(3 * MS, 100_000, 0), null)));
        assertThat(Report.goals(slow)).extracting(Report.Goal::met).containsExactly(false, false, false);
        assertThat(Report.goals(slow).get(2).measured()).contains("errors");

        var nothing = List.of(new PhaseResults(new Phase.FixedRate(5000), null, new Measurement(run(MS, 10, 0), null)));
        assertThat(Report.goals(nothing)).extracting(Report.Goal::met).containsOnlyNulls();
    }

    @Test
    void rendersSideBySideTablesAndTheGoals() {
        var phases = List.of(new PhaseResults(new Phase.FixedRate(1000),
                new Measurement(run(1 * MS, 30_000, 0), new ResourceUse(3.0, 30.0, 204_800, 102_400),
                        new ResourceUse(6.0, 30.0, 1, 1)),
                new Measurement(run(MS / 2, 30_000, 0), null, new ResourceUse(1.5, 30.0, 1, 1))));
        var facts = new MachineFacts(2, "cpu", "jdk 25", "Linux", "Redis 7.0", "0.1 0.2 0.3");
        var settings = new Report.Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 1024, 1000);

        String md = Report.render(facts, settings, "grpc calls", "redis calls", phases, "0.4 0.5 0.6");

        assertThat(md)
                .contains("## Fixed rate 1,000 req/s")
                .contains("| p99 (ms) | 1.000 | 0.500 | 2.00× | 1.000 | 0.500 | 2.00× |")
                .contains("| achieved (req/s) | 500 | 500 | 100.0 % | 500 | 500 | 100.0 % |")
                .contains("**0.100 vCPU**")
                .contains("RSS peak 200 MiB, end 100 MiB")
                .contains("0.200 vCPU driving the sidecar, 0.050 vCPU driving Redis directly")
                .contains("| added p99 at 1,000 req/s <= 0.3 ms | set +0.500 ms, get +0.500 ms | **not met** |")
                .contains("| saturated throughput >= 60 % of direct | — | not measured |");
    }

    /** A 30 s run where every call of both operations took {@code latency}; {@code errors} failed gets. */
    private static RunResult run(long latency, long calls, long errors) {
        var ops = new EnumMap<Operation, RunResult.OpResult>(Operation.class);
        for (Operation op : Operation.values()) {
            var histogram = new Histogram(3);
            histogram.recordValueWithCount(latency, calls / 2);
            ops.put(op, new RunResult.OpResult(LatencySummary.of(histogram), op == Operation.GET ? errors : 0));
        }
        return new RunResult(ops, Duration.ofSeconds(30).toNanos(), 0, errors > 0 ? "boom" : null);
    }
}
