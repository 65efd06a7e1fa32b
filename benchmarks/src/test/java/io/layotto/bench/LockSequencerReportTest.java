package io.layotto.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.bench.LockSequencerLoad.Kind;
import io.layotto.bench.LockSequencerReport.Row;
import io.layotto.bench.Report.Goal;
import io.layotto.bench.Report.Measurement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LockSequencerReportTest {

    private static final long MS = 1_000_000;

    @Test
    void goalsCompareWeakWithStrongAndSidecarWithDirect() {
        var rows = List.of(
                row(Kind.LOCK_PAIR, "sidecar", 20_000, 1 * MS, 0),
                row(Kind.LOCK_PAIR, "direct", 30_000, MS * 9 / 10, 0),
                row(Kind.ID_STRONG, "sidecar", 10_000, MS, 0),
                row(Kind.ID_STRONG, "direct", 20_000, MS / 2, 0),
                row(Kind.ID_WEAK, "sidecar", 60_000, MS / 4, 0));

        List<Goal> goals = LockSequencerReport.goals(rows);

        assertThat(goals).extracting(Goal::name).containsExactly(
                "redis: sidecar WEAK >= 5× STRONG ids/s",
                "redis, lock pair: sidecar adds <= 0.3 ms p99 at 1,000 ops/s",
                "redis, id strong: sidecar adds <= 0.3 ms p99 at 1,000 ops/s");
        assertThat(goals).extracting(Goal::met).containsExactly(true, true, false);
        assertThat(goals.get(0).measured()).startsWith("6.00×");
        assertThat(goals.get(1).measured()).isEqualTo("+0.100 ms");
        assertThat(goals.get(2).measured()).isEqualTo("+0.500 ms");
    }

    @Test
    void aGoalIsNotMetWhenTheComparedRunsHadErrors() {
        var rows = List.of(
                row(Kind.ID_STRONG, "sidecar", 10_000, MS, 3),
                row(Kind.ID_STRONG, "direct", 20_000, MS, 0),
                row(Kind.ID_WEAK, "sidecar", 90_000, MS, 0));

        List<Goal> goals = LockSequencerReport.goals(rows);

        assertThat(goals).extracting(Goal::met).containsExactly(false, false);
        assertThat(goals.get(0).measured()).endsWith("(errors or unfinished)");
    }

    @Test
    void anAddedP99IsNotJudgedWhenTheDirectClientCannotSustainTheRateWithHeadroom() {
        var rows = List.of(
                row(Kind.ID_STRONG, "sidecar", 15_000, MS, 0),
                row(Kind.ID_STRONG, "direct", 11_000, 1_600 * MS, 0),
                row(Kind.ID_WEAK, "sidecar", 90_000, MS, 0));

        List<Goal> goals = LockSequencerReport.goals(rows, 1_000);

        assertThat(goals).extracting(Goal::met).containsExactly(true, null);
        assertThat(goals.get(1).measured()).contains("not comparable").contains("1,100 ops/s");
    }

    @Test
    void aBackendWithoutBothIdModesIsNotMeasured() {
        List<Goal> goals = LockSequencerReport.goals(List.of(row(Kind.ID_STRONG, "sidecar", 10_000, MS, 0)));

        assertThat(goals).extracting(Goal::met).containsExactly((Boolean) null);
    }

    @Test
    void sidecarConfigsNameBothComponentsOfTheBackend() {
        assertThat(LockSequencerBenchmark.redisConfig("127.0.0.1:6379"))
                .contains("\"lock\": { \"bench_lock\": { \"type\": \"redis\"")
                .contains("\"sequencer\": { \"bench_sequencer\": { \"type\": \"redis\", \"metadata\": { \"redisHost\": \"127.0.0.1:6379\"");
        assertThat(LockSequencerBenchmark.etcdConfig("127.0.0.1:2379"))
                .contains("\"type\": \"etcd\", \"metadata\": { \"endpoints\": \"127.0.0.1:2379\" }");
    }

    /** A row whose saturated run made {@code ops} calls in 10 s and whose fixed-rate run had p99 {@code p99}. */
    private static Row row(Kind kind, String target, long ops, long p99, long errors) {
        return new Row("redis", kind, target, new Measurement(run(ops, MS, errors), null),
                new Measurement(run(10_000, p99, errors), null));
    }

    private static RunResult run(long calls, long latency, long errors) {
        var ops = new EnumMap<Operation, RunResult.OpResult>(Operation.class);
        for (Operation op : Operation.values()) {
            var histogram = new Histogram(3);
            if (op == Operation.SET) {
                histogram.recordValueWithCount(latency, calls);
            }
            ops.put(op, new RunResult.OpResult(LatencySummary.of(histogram), op == Operation.SET ? errors : 0));
        }
        return new RunResult(ops, Duration.ofSeconds(10).toNanos(), 0, errors > 0 ? "boom" : null);
    }
}
