package io.layotto.bench;

import io.layotto.bench.ResourceSampler.ResourceUse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/** Renders the pub/sub results as Markdown: per backend a table per phase, sidecar next to direct, then the goals. */
final class PubSubReport {

    static final double GOAL_IN_MEMORY_P99_MS = 2.0;
    static final double GOAL_REDIS_ADDED_P99_MS = 1.0;
    static final double GOAL_THROUGHPUT_PERCENT = 50;

    /** The run's settings, echoed so the figures can be reproduced. */
    record Settings(PayloadFormat payloadFormat, int payloadSize, int rate, Duration jitWarmup, Duration warmup, Duration duration, Duration saturationDuration,
            int window, int maxInFlight) {}

    /** One target's measured run: the sidecar's resource use (null for direct) and the harness JVM's own. */
    record Measurement(DeliveryResult result, @Nullable ResourceUse sidecar, @Nullable ResourceUse harness) {}

    /** Sidecar and direct for one phase of one backend; a target not run is null. */
    record Phase(String title, @Nullable Measurement sidecar, @Nullable Measurement direct) {}

    /** Everything measured on one backend. */
    record BackendResults(Backend backend, String sidecarCalls, @Nullable String directCalls, Phase fixedRate,
            Phase saturation) {}

    private PubSubReport() {}

    static String render(MachineFacts facts, Settings settings, List<BackendResults> backends, String loadAverageAtEnd) {
        var md = new StringBuilder();
        md.append("# Pub/sub benchmark: Layotto sidecar vs the brokers' own clients\n\n");
        md.append("- Machine: ").append(facts.cores()).append(" cores (").append(facts.cpuModel()).append("), ")
                .append(facts.os()).append('\n');
        md.append("- JDK: ").append(facts.jdk()).append("; ").append(facts.servers()).append('\n');
        md.append("- Load average (1/5/15 min) at start: ").append(facts.loadAverage())
                .append(", at end: ").append(loadAverageAtEnd).append('\n');
        md.append(String.format(Locale.ROOT,
                "- Settings: %d-byte %s payloads (published as %s); fixed rate %,d msg/s for %d s after %d s warm-up; saturation with %,d"
                        + " messages outstanding for %d s after %d s warm-up; at most %d messages in flight per"
                        + " subscription (sidecar `maxConcurrency`, direct read/batch size); before its first phase"
                        + " each target of a backend ran %d s at saturation (JIT warm-up, not reported)\n",
                settings.payloadSize(), settings.payloadFormat().label(), settings.payloadFormat().contentType(),
                settings.rate(), settings.duration().toSeconds(), settings.warmup().toSeconds(),
                settings.window(), settings.saturationDuration().toSeconds(), settings.warmup().toSeconds(),
                settings.maxInFlight(), settings.jitWarmup().toSeconds()));
        md.append("- Latency: fixed rate from each message's intended send time to its receipt by the subscriber"
                + " (coordinated omission corrected); saturation from the actual send to receipt. First deliveries"
                + " only; redeliveries count as duplicates.\n\n");
        for (BackendResults results : backends) {
            md.append("## ").append(results.backend().type()).append("\n\n");
            md.append("- sidecar: ").append(results.sidecarCalls()).append(", pub/sub `")
                    .append(results.backend().componentName()).append("` of type ").append(results.backend().type())
                    .append('\n');
            md.append("- direct: ").append(results.directCalls() == null
                    ? "none (the in-memory pub/sub lives inside the sidecar)" : results.directCalls()).append("\n\n");
            appendPhase(md, results.fixedRate());
            appendPhase(md, results.saturation());
        }
        md.append("## Goals (issue 3, part 8)\n\n");
        md.append("| goal | measured | result |\n|---|---|---|\n");
        for (Report.Goal goal : goals(backends)) {
            md.append("| ").append(goal.name()).append(" | ").append(goal.measured()).append(" | ")
                    .append(goal.met() == null ? "not measured" : goal.met() ? "met" : "**not met**").append(" |\n");
        }
        return md.toString();
    }

    private static void appendPhase(StringBuilder md, Phase phase) {
        md.append("### ").append(phase.title()).append("\n\n");
        md.append("| | sidecar | direct | sidecar/direct |\n|---|--:|--:|--:|\n");
        latencyRow(md, phase, "p50 (ms)", LatencySummary::p50);
        latencyRow(md, phase, "p90 (ms)", LatencySummary::p90);
        latencyRow(md, phase, "p99 (ms)", LatencySummary::p99);
        latencyRow(md, phase, "p99.9 (ms)", LatencySummary::p999);
        latencyRow(md, phase, "max (ms)", LatencySummary::max);
        Double sidecarRate = phase.sidecar() == null ? null : phase.sidecar().result().deliveredPerSecond();
        Double directRate = phase.direct() == null ? null : phase.direct().result().deliveredPerSecond();
        md.append("| delivered (msg/s) | ").append(orDash(sidecarRate, Report::perSecond)).append(" | ")
                .append(orDash(directRate, Report::perSecond)).append(" | ")
                .append(sidecarRate == null || directRate == null ? "—" : Report.percent(sidecarRate, directRate))
                .append(" |\n");
        countRow(md, phase, "sent / delivered", r -> String.format(Locale.ROOT, "%,d / %,d", r.sent(), r.delivered()));
        countRow(md, phase, "unfinished (lost or not sent)", r -> String.format(Locale.ROOT, "%,d", r.unfinished()));
        countRow(md, phase, "duplicates", r -> String.format(Locale.ROOT, "%,d", r.duplicates()));
        countRow(md, phase, "publish errors / corrupt", r -> String.format(Locale.ROOT, "%,d / %,d",
                r.publishErrors(), r.corrupt()));
        md.append('\n');
        for (var target : List.of("sidecar", "direct")) {
            Measurement m = target.equals("sidecar") ? phase.sidecar() : phase.direct();
            if (m != null && m.result().firstError() != null) {
                md.append(target).append(" first error: `").append(m.result().firstError()).append("`.\n");
            }
        }
        if (phase.sidecar() != null && phase.sidecar().sidecar() != null) {
            ResourceUse use = phase.sidecar().sidecar();
            md.append(String.format(Locale.ROOT,
                    "Sidecar process: %.2f CPU s in %.1f s = **%.3f vCPU**; **%.3f CPU s per 1,000 messages**"
                            + " (published and delivered); RSS peak %,d MiB, end %,d MiB.\n",
                    use.cpuSeconds(), use.wallSeconds(), use.averageVcpu(),
                    use.cpuSecondsPerThousandRequests(phase.sidecar().result().delivered()),
                    use.peakRssKb() / 1024, use.endRssKb() / 1024));
        }
        ResourceUse sidecarClient = phase.sidecar() == null ? null : phase.sidecar().harness();
        ResourceUse directClient = phase.direct() == null ? null : phase.direct().harness();
        if (sidecarClient != null || directClient != null) {
            md.append("Benchmark JVM (publisher + subscriber, for perspective): ")
                    .append(orDash(sidecarClient, use -> String.format(Locale.ROOT, "%.3f", use.averageVcpu())))
                    .append(" vCPU with the sidecar, ")
                    .append(orDash(directClient, use -> String.format(Locale.ROOT, "%.3f", use.averageVcpu())))
                    .append(" vCPU direct.\n");
        }
        md.append('\n');
    }

    private static void latencyRow(StringBuilder md, Phase phase, String label, ToLongFunction<LatencySummary> pick) {
        Long sidecar = latency(phase.sidecar(), pick);
        Long direct = latency(phase.direct(), pick);
        md.append("| ").append(label).append(" | ").append(sidecar == null ? "—" : Report.ms(sidecar))
                .append(" | ").append(direct == null ? "—" : Report.ms(direct))
                .append(" | ").append(sidecar == null || direct == null ? "—" : Report.ratio(sidecar, direct))
                .append(" |\n");
    }

    private static void countRow(StringBuilder md, Phase phase, String label, Function<DeliveryResult, String> format) {
        md.append("| ").append(label).append(" | ")
                .append(phase.sidecar() == null ? "—" : format.apply(phase.sidecar().result())).append(" | ")
                .append(phase.direct() == null ? "—" : format.apply(phase.direct().result())).append(" | — |\n");
    }

    static List<Report.Goal> goals(List<BackendResults> backends) {
        var goals = new ArrayList<Report.Goal>();
        for (BackendResults results : backends) {
            Phase fixed = results.fixedRate();
            switch (results.backend()) {
                case IN_MEMORY -> {
                    String name = String.format(Locale.ROOT, "in-memory: end-to-end p99 at the fixed rate <= %.0f ms",
                            GOAL_IN_MEMORY_P99_MS);
                    Measurement sidecar = fixed.sidecar();
                    goals.add(sidecar == null ? new Report.Goal(name, "—", null) : new Report.Goal(name,
                            Report.ms(sidecar.result().latency().p99()) + " ms" + cleanliness(sidecar),
                            sidecar.result().latency().p99() / 1e6 <= GOAL_IN_MEMORY_P99_MS && sidecar.result().clean()));
                }
                case REDIS -> {
                    String name = String.format(Locale.ROOT, "redis: sidecar adds <= %.0f ms to p99 at the fixed rate",
                            GOAL_REDIS_ADDED_P99_MS);
                    if (fixed.sidecar() == null || fixed.direct() == null) {
                        goals.add(new Report.Goal(name, "—", null));
                    } else {
                        long sidecarP99 = fixed.sidecar().result().latency().p99();
                        long directP99 = fixed.direct().result().latency().p99();
                        double added = (sidecarP99 - directP99) / 1e6;
                        goals.add(new Report.Goal(name, String.format(Locale.ROOT, "%+.3f ms (p99 %s vs %s ms)", added,
                                Report.ms(sidecarP99), Report.ms(directP99)) + cleanliness(fixed.sidecar()),
                                added <= GOAL_REDIS_ADDED_P99_MS && fixed.sidecar().result().clean()));
                    }
                }
                case JETSTREAM -> { }
            }
            if (results.backend().hasDirectClient()) {
                goals.add(throughputGoal(results.backend(), results.saturation()));
            }
        }
        return goals;
    }

    private static Report.Goal throughputGoal(Backend backend, Phase saturation) {
        String name = String.format(Locale.ROOT, "%s: saturated throughput >= %.0f %% of direct", backend.type(),
                GOAL_THROUGHPUT_PERCENT);
        if (saturation.sidecar() == null || saturation.direct() == null) {
            return new Report.Goal(name, "—", null);
        }
        double sidecar = saturation.sidecar().result().deliveredPerSecond();
        double direct = saturation.direct().result().deliveredPerSecond();
        return new Report.Goal(name, Report.percent(sidecar, direct) + " (" + Report.perSecond(sidecar) + " vs "
                + Report.perSecond(direct) + " msg/s)" + cleanliness(saturation.sidecar()),
                sidecar * 100 >= GOAL_THROUGHPUT_PERCENT * direct && saturation.sidecar().result().clean());
    }

    /** A goal only counts as met when every message arrived intact and every publish was accepted. */
    private static String cleanliness(Measurement sidecar) {
        return sidecar.result().clean() ? "" : " (sidecar lost messages or had errors)";
    }

    private static @Nullable Long latency(@Nullable Measurement m, ToLongFunction<LatencySummary> pick) {
        return m == null || m.result().latency().count() == 0 ? null : pick.applyAsLong(m.result().latency());
    }

    private static <T> String orDash(@Nullable T value, Function<T, String> format) {
        return value == null ? "—" : format.apply(value);
    }
}
