package io.layotto.bench;

import io.layotto.bench.LockSequencerLoad.Kind;
import io.layotto.bench.Report.Goal;
import io.layotto.bench.Report.Measurement;
import io.layotto.bench.ResourceSampler.ResourceUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Markdown for the lock + sequencer benchmark: per backend, each load on each target, then the goals. */
final class LockSequencerReport {

    static final double GOAL_WEAK_OVER_STRONG = 5;

    /** One load on one target of one backend: the saturated (closed-loop) run and the fixed-rate run. */
    record Row(String backend, Kind kind, String target, Measurement saturated, Measurement fixedRate) {}

    /** How far above the fixed rate the direct client's capacity must be for a latency comparison. */
    static final double DIRECT_HEADROOM = 1.5;

    private LockSequencerReport() {}

    static String render(MachineFacts facts, String settings, List<String> calls, List<Row> rows, int rate,
            int concurrency, String loadAverageAtEnd) {
        var md = new StringBuilder("# Lock and sequencer benchmark: Layotto sidecar vs direct clients\n\n");
        md.append("- Machine: ").append(facts.cores()).append(" cores (").append(facts.cpuModel()).append("), ")
                .append(facts.os()).append('\n');
        md.append("- JDK: ").append(facts.jdk()).append("; ").append(facts.servers()).append('\n');
        md.append("- Load average (1/5/15 min) at start: ").append(facts.loadAverage())
                .append(", at end: ").append(loadAverageAtEnd).append('\n');
        md.append("- Settings: ").append(settings).append('\n');
        calls.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append(String.format(Locale.ROOT, "- Saturated: %d concurrent callers (closed loop, service time)."
                + " Fixed rate: %,d ops/s open loop, latency from each request's intended start (coordinated omission"
                + " corrected). A lock pair is one op (TryLock then Unlock: two sidecar round trips).%n%n", concurrency, rate));

        md.append(String.format(Locale.ROOT, "| backend | load | target | saturated ops/s | p50 / p99 / p99.9 ms at %,d/s"
                + " | errors / unfinished (sat; fixed) | sidecar vCPU (sat; fixed) | sidecar peak RSS MB |%n", rate));
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            LatencySummary fixed = latency(row.fixedRate());
            md.append("| ").append(row.backend()).append(" | ").append(row.kind().unit()).append(" | ").append(row.target())
                    .append(" | ").append(Report.perSecond(row.saturated().run().totalRatePerSecond()))
                    .append(" | ").append(Report.ms(fixed.p50())).append(" / ").append(Report.ms(fixed.p99()))
                    .append(" / ").append(Report.ms(fixed.p999()))
                    .append(" | ").append(problems(row.saturated())).append("; ").append(problems(row.fixedRate()))
                    .append(" | ").append(vcpu(row.saturated().resources())).append("; ").append(vcpu(row.fixedRate().resources()))
                    .append(" | ").append(rss(row.saturated().resources(), row.fixedRate().resources())).append(" |\n");
        }
        md.append("\n## Sidecar / direct\n\n| backend | load | saturated throughput sidecar/direct | added p99 at ")
                .append(String.format(Locale.ROOT, "%,d/s (ms) |%n|---|---|---|---|%n", rate));
        for (Row sidecar : rows) {
            if (!sidecar.target().equals("sidecar")) {
                continue;
            }
            find(rows, sidecar.backend(), sidecar.kind(), "direct").ifPresent(direct -> md.append("| ")
                    .append(sidecar.backend()).append(" | ").append(sidecar.kind().unit()).append(" | ")
                    .append(Report.ratio(sidecar.saturated().run().totalRatePerSecond(), direct.saturated().run().totalRatePerSecond()))
                    .append(" | ").append(String.format(Locale.ROOT, "%+.3f", addedP99Millis(sidecar, direct))).append(" |\n"));
        }
        md.append("\n## Goals (issue 4, part 7)\n\n| goal | measured | result |\n|---|---|---|\n");
        for (Goal goal : goals(rows, rate)) {
            md.append("| ").append(goal.name()).append(" | ").append(goal.measured()).append(" | ")
                    .append(goal.met() == null ? "not judged" : goal.met() ? "met" : "**not met**").append(" |\n");
        }
        return md.toString();
    }

    /**
     * Per backend: sidecar WEAK over STRONG saturated throughput (>= 5×), and for each load that has a
     * direct counterpart, sidecar p99 minus direct p99 at the fixed rate (<= 0.3 ms). A goal counts as
     * met only when the runs it compares had no errors and nothing unfinished.
     */
    static List<Goal> goals(List<Row> rows) {
        return goals(rows, 1_000);
    }

    /**
     * As {@link #goals(List)}; an added p99 is not judged when the direct client's saturated
     * throughput is below {@value #DIRECT_HEADROOM}× the fixed rate: open loop at its capacity, the
     * direct side measures its own queue, not the backend.
     */
    static List<Goal> goals(List<Row> rows, int rate) {
        var goals = new ArrayList<Goal>();
        for (String backend : rows.stream().map(Row::backend).distinct().toList()) {
            String name = String.format(Locale.ROOT, "%s: sidecar WEAK >= %.0f× STRONG ids/s", backend, GOAL_WEAK_OVER_STRONG);
            Optional<Row> weak = find(rows, backend, Kind.ID_WEAK, "sidecar");
            Optional<Row> strong = find(rows, backend, Kind.ID_STRONG, "sidecar");
            if (weak.isPresent() && strong.isPresent()) {
                double w = weak.get().saturated().run().totalRatePerSecond();
                double s = strong.get().saturated().run().totalRatePerSecond();
                boolean clean = clean(weak.get().saturated()) && clean(strong.get().saturated());
                goals.add(new Goal(name, Report.ratio(w, s) + " (" + Report.perSecond(w) + " vs " + Report.perSecond(s)
                        + " ids/s)" + (clean ? "" : " (errors or unfinished)"), clean && w >= GOAL_WEAK_OVER_STRONG * s));
            } else {
                goals.add(new Goal(name, "—", null));
            }
            for (Kind kind : Kind.values()) {
                Optional<Row> sidecar = find(rows, backend, kind, "sidecar");
                Optional<Row> direct = find(rows, backend, kind, "direct");
                if (sidecar.isEmpty() || direct.isEmpty()) {
                    continue;
                }
                double added = addedP99Millis(sidecar.get(), direct.get());
                boolean clean = clean(sidecar.get().fixedRate()) && clean(direct.get().fixedRate());
                String goalName = String.format(Locale.ROOT, "%s, %s: sidecar adds <= %.1f ms p99 at 1,000 ops/s",
                        backend, kind.label(), Report.GOAL_ADDED_P99_MS);
                double directCapacity = direct.get().saturated().run().totalRatePerSecond();
                if (directCapacity < DIRECT_HEADROOM * rate) {
                    goals.add(new Goal(goalName, String.format(Locale.ROOT, "%+.3f ms; not comparable: the direct"
                            + " client saturates at %s ops/s", added, Report.perSecond(directCapacity)), null));
                    continue;
                }
                goals.add(new Goal(goalName,
                        String.format(Locale.ROOT, "%+.3f ms", added) + (clean ? "" : " (errors or unfinished)"),
                        clean && added <= Report.GOAL_ADDED_P99_MS));
            }
        }
        return goals;
    }

    static double addedP99Millis(Row sidecar, Row direct) {
        return (latency(sidecar.fixedRate()).p99() - latency(direct.fixedRate()).p99()) / 1e6;
    }

    private static Optional<Row> find(List<Row> rows, String backend, Kind kind, String target) {
        return rows.stream()
                .filter(r -> r.backend().equals(backend) && r.kind() == kind && r.target().equals(target))
                .findFirst();
    }

    private static LatencySummary latency(Measurement m) {
        return m.run().op(Operation.SET).latency();
    }

    private static boolean clean(Measurement m) {
        return m.run().errors() == 0 && m.run().unfinished() == 0;
    }

    private static String problems(Measurement m) {
        String text = m.run().errors() + " / " + m.run().unfinished();
        return m.run().firstError() == null ? text : text + " (" + m.run().firstError().replace('|', '/') + ")";
    }

    private static String vcpu(@Nullable ResourceUse use) {
        return use == null ? "—" : String.format(Locale.ROOT, "%.2f", use.averageVcpu());
    }

    private static String rss(@Nullable ResourceUse saturated, @Nullable ResourceUse fixed) {
        if (saturated == null || fixed == null) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.0f", Math.max(saturated.peakRssKb(), fixed.peakRssKb()) / 1024.0);
    }
}
