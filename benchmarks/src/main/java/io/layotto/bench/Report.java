package io.layotto.bench;

import io.layotto.bench.ResourceSampler.ResourceUse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/** Renders the results as Markdown: one table per phase, sidecar next to direct, then the goals. */
final class Report {

    static final double GOAL_ADDED_P99_MS = 0.3;
    static final double GOAL_VCPU = 0.15;
    static final double GOAL_SATURATION_PERCENT = 60;
    static final int GOAL_RATE = 1000;

    /** The run's settings, echoed in the report so the figures can be reproduced. */
    record Settings(Duration warmup, Duration duration, Duration saturationDuration, int valueSize, int keyCount) {}

    /**
     * One target's measured run: {@code resources} is the sidecar process's use (null for direct),
     * {@code harness} the benchmark JVM's own use (the client side), when measured.
     */
    record Measurement(RunResult run, @Nullable ResourceUse resources, @Nullable ResourceUse harness) {

        Measurement(RunResult run, @Nullable ResourceUse resources) {
            this(run, resources, null);
        }
    }

    /** Both targets' results for one phase; a target that was not run is null. */
    record PhaseResults(Phase phase, @Nullable Measurement sidecar, @Nullable Measurement direct) {}

    /** A goal of the issue, the measured value, and whether it was met (null: not measured). */
    record Goal(String name, String measured, @Nullable Boolean met) {}

    private Report() {}

    static String render(MachineFacts facts, Settings settings, String sidecarCalls, String directCalls,
            List<PhaseResults> phases, String loadAverageAtEnd) {
        var md = new StringBuilder();
        md.append("# State benchmark: Layotto sidecar vs Redis directly\n\n");
        md.append("- Machine: ").append(facts.cores()).append(" cores (").append(facts.cpuModel()).append("), ")
                .append(facts.os()).append('\n');
        md.append("- JDK: ").append(facts.jdk()).append("; ").append(facts.servers()).append('\n');
        md.append("- Load average (1/5/15 min) at start: ").append(facts.loadAverage())
                .append(", at end: ").append(loadAverageAtEnd).append('\n');
        md.append(String.format(Locale.ROOT,
                "- Settings: %d-byte values over %,d keys per target; fixed-rate phases %d s measured after %d s warm-up;"
                        + " saturation %d s after %d s warm-up\n",
                settings.valueSize(), settings.keyCount(), settings.duration().toSeconds(), settings.warmup().toSeconds(),
                settings.saturationDuration().toSeconds(), settings.warmup().toSeconds()));
        md.append("- sidecar: ").append(sidecarCalls).append('\n');
        md.append("- direct: ").append(directCalls).append('\n');
        md.append("- Requests alternate set, get, set, get...; fixed rates are the total (half sets, half gets)."
                + " Fixed-rate latency is measured from each request's intended start time (coordinated omission"
                + " corrected); saturation latency is per-request service time.\n\n");

        for (PhaseResults results : phases) {
            appendPhase(md, results);
        }
        md.append("## Goals (issue 2, part 11)\n\n");
        md.append("| goal | measured | result |\n|---|---|---|\n");
        for (Goal goal : goals(phases)) {
            md.append("| ").append(goal.name()).append(" | ").append(goal.measured()).append(" | ")
                    .append(goal.met() == null ? "not measured" : goal.met() ? "met" : "**not met**").append(" |\n");
        }
        return md.toString();
    }

    private static void appendPhase(StringBuilder md, PhaseResults results) {
        md.append("## ").append(results.phase().title()).append("\n\n");
        md.append("| | set: sidecar | set: direct | set: sidecar/direct | get: sidecar | get: direct | get: sidecar/direct |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|\n");
        latencyRow(md, results, "p50 (ms)", LatencySummary::p50);
        latencyRow(md, results, "p90 (ms)", LatencySummary::p90);
        latencyRow(md, results, "p99 (ms)", LatencySummary::p99);
        latencyRow(md, results, "p99.9 (ms)", LatencySummary::p999);
        latencyRow(md, results, "max (ms)", LatencySummary::max);
        md.append("| achieved (req/s)");
        for (Operation op : Operation.values()) {
            Double sidecar = rate(results.sidecar(), op);
            Double direct = rate(results.direct(), op);
            md.append(" | ").append(orDash(sidecar, Report::perSecond))
                    .append(" | ").append(orDash(direct, Report::perSecond))
                    .append(" | ").append(sidecar == null || direct == null ? "—" : percent(sidecar, direct));
        }
        md.append(" |\n");
        md.append("| errors");
        for (Operation op : Operation.values()) {
            md.append(" | ").append(errors(results.sidecar(), op)).append(" | ").append(errors(results.direct(), op))
                    .append(" | —");
        }
        md.append(" |\n\n");

        Double sidecarTotal = results.sidecar() == null ? null : results.sidecar().run().totalRatePerSecond();
        Double directTotal = results.direct() == null ? null : results.direct().run().totalRatePerSecond();
        md.append("Throughput, set + get: sidecar ").append(orDash(sidecarTotal, Report::perSecond))
                .append(" req/s, direct ").append(orDash(directTotal, Report::perSecond)).append(" req/s");
        if (sidecarTotal != null && directTotal != null) {
            md.append(" (sidecar = ").append(percent(sidecarTotal, directTotal)).append(" of direct)");
        }
        md.append(".\n");
        appendProblems(md, "sidecar", results.sidecar());
        appendProblems(md, "direct", results.direct());
        if (results.sidecar() != null && results.sidecar().resources() != null) {
            ResourceUse use = results.sidecar().resources();
            md.append(String.format(Locale.ROOT,
                    "Sidecar process: %.2f CPU s in %.1f s = **%.3f vCPU**; %.3f CPU s per 1,000 requests;"
                            + " RSS peak %,d MiB, end %,d MiB.\n",
                    use.cpuSeconds(), use.wallSeconds(), use.averageVcpu(),
                    use.cpuSecondsPerThousandRequests(results.sidecar().run().completed()),
                    use.peakRssKb() / 1024, use.endRssKb() / 1024));
        }
        ResourceUse sidecarClient = results.sidecar() == null ? null : results.sidecar().harness();
        ResourceUse directClient = results.direct() == null ? null : results.direct().harness();
        if (sidecarClient != null || directClient != null) {
            md.append("Benchmark JVM (the client side, for perspective): ")
                    .append(orDash(sidecarClient, use -> String.format(Locale.ROOT, "%.3f", use.averageVcpu())))
                    .append(" vCPU driving the sidecar, ")
                    .append(orDash(directClient, use -> String.format(Locale.ROOT, "%.3f", use.averageVcpu())))
                    .append(" vCPU driving Redis directly.\n");
        }
        md.append('\n');
    }

    private static void appendProblems(StringBuilder md, String target, @Nullable Measurement measurement) {
        if (measurement == null) {
            return;
        }
        RunResult run = measurement.run();
        if (run.unfinished() > 0) {
            md.append(String.format(Locale.ROOT,
                    "%s could not keep up: %,d requests were not sent or not answered in time.\n", target, run.unfinished()));
        }
        if (run.firstError() != null) {
            md.append(target).append(" first error: `").append(run.firstError()).append("`.\n");
        }
    }

    private static void latencyRow(StringBuilder md, PhaseResults results, String label,
            ToLongFunction<LatencySummary> pick) {
        md.append("| ").append(label);
        for (Operation op : Operation.values()) {
            Long sidecar = latency(results.sidecar(), op, pick);
            Long direct = latency(results.direct(), op, pick);
            md.append(" | ").append(sidecar == null ? "—" : ms(sidecar))
                    .append(" | ").append(direct == null ? "—" : ms(direct))
                    .append(" | ").append(sidecar == null || direct == null ? "—" : ratio(sidecar, direct));
        }
        md.append(" |\n");
    }

    static List<Goal> goals(List<PhaseResults> phases) {
        var goals = new ArrayList<Goal>();
        Optional<PhaseResults> atGoalRate = phases.stream()
                .filter(p -> p.phase() instanceof Phase.FixedRate(int rate) && rate == GOAL_RATE)
                .findFirst();
        Optional<PhaseResults> saturation = phases.stream()
                .filter(p -> p.phase() instanceof Phase.Saturation)
                .findFirst();

        String addedName = String.format(Locale.ROOT, "added p99 at 1,000 req/s <= %.1f ms", GOAL_ADDED_P99_MS);
        goals.add(atGoalRate.filter(Report::bothMeasured).map(p -> {
            var measured = new ArrayList<String>();
            boolean met = true;
            for (Operation op : Operation.values()) {
                double added = addedP99Millis(p, op);
                measured.add(String.format(Locale.ROOT, "%s %+.3f ms", op.name().toLowerCase(Locale.ROOT), added));
                met &= added <= GOAL_ADDED_P99_MS;
            }
            met &= clean(p);
            return new Goal(addedName, String.join(", ", measured) + cleanliness(p), met);
        }).orElse(new Goal(addedName, "—", null)));

        String vcpuName = String.format(Locale.ROOT, "sidecar CPU at 1,000 req/s <= %.2f vCPU", GOAL_VCPU);
        goals.add(atGoalRate.map(PhaseResults::sidecar).map(Measurement::resources).map(use -> new Goal(vcpuName,
                String.format(Locale.ROOT, "%.3f vCPU", use.averageVcpu()),
                use.averageVcpu() <= GOAL_VCPU)).orElse(new Goal(vcpuName, "—", null)));

        String saturationName = String.format(Locale.ROOT, "saturated throughput >= %.0f %% of direct", GOAL_SATURATION_PERCENT);
        goals.add(saturation.filter(Report::bothMeasured).map(p -> {
            double sidecar = p.sidecar().run().totalRatePerSecond();
            double direct = p.direct().run().totalRatePerSecond();
            return new Goal(saturationName,
                    percent(sidecar, direct) + " (" + perSecond(sidecar) + " vs " + perSecond(direct) + " req/s)"
                            + cleanliness(p),
                    sidecar * 100 >= GOAL_SATURATION_PERCENT * direct && clean(p));
        }).orElse(new Goal(saturationName, "—", null)));
        return goals;
    }

    /** p99 of the sidecar minus p99 of direct, in milliseconds. */
    static double addedP99Millis(PhaseResults results, Operation op) {
        return (results.sidecar().run().op(op).latency().p99() - results.direct().run().op(op).latency().p99()) / 1e6;
    }

    private static boolean bothMeasured(PhaseResults results) {
        return results.sidecar() != null && results.direct() != null;
    }

    /** A goal only counts as met when the sidecar answered every request correctly. */
    private static boolean clean(PhaseResults results) {
        RunResult run = results.sidecar().run();
        return run.errors() == 0 && run.unfinished() == 0;
    }

    private static String cleanliness(PhaseResults results) {
        return clean(results) ? "" : " (sidecar had errors or unfinished requests)";
    }

    private static @Nullable Long latency(@Nullable Measurement m, Operation op, ToLongFunction<LatencySummary> pick) {
        return m == null || m.run().op(op).latency().count() == 0 ? null : pick.applyAsLong(m.run().op(op).latency());
    }

    private static @Nullable Double rate(@Nullable Measurement m, Operation op) {
        return m == null ? null : m.run().ratePerSecond(op);
    }

    private static String errors(@Nullable Measurement m, Operation op) {
        return m == null ? "—" : String.format(Locale.ROOT, "%,d", m.run().op(op).errors());
    }

    private static <T> String orDash(@Nullable T value, java.util.function.Function<T, String> format) {
        return value == null ? "—" : format.apply(value);
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    static String ratio(double sidecar, double direct) {
        return direct == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", sidecar / direct);
    }

    static String percent(double sidecar, double direct) {
        return direct == 0 ? "—" : String.format(Locale.ROOT, "%.1f %%", sidecar * 100 / direct);
    }

    static String perSecond(double rate) {
        return String.format(Locale.ROOT, "%,.0f", rate);
    }
}
