package io.layotto.bench;

import io.layotto.bench.Report.Measurement;
import io.layotto.bench.Report.PhaseResults;
import io.layotto.bench.ResourceSampler.ResourceUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * SaveState / GetState through the sidecar (Redis state store) versus Lettuce straight to the same
 * Redis, in one run: fixed rates (open loop), then saturation (closed loop). Prints a Markdown
 * report and writes it to {@code --out}. Run it with {@code benchmarks/run.sh}.
 */
@Command(name = "state-benchmark",
        description = "Benchmarks the State API through the Layotto sidecar against Lettuce directly on the same Redis.")
public final class StateBenchmark implements Callable<Integer> {

    static final String STORE_NAME = "bench_state";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--redis", defaultValue = "127.0.0.1:6379", description = "Redis host:port used by both targets (default: ${DEFAULT-VALUE}).")
    String redis = "127.0.0.1:6379";

    @Option(names = "--rates", split = ",", defaultValue = "1000,5000", description = "Fixed total request rates, req/s (default: ${DEFAULT-VALUE}).")
    List<Integer> rates = List.of(1000, 5000);

    @Option(names = "--duration", defaultValue = "30", description = "Measured seconds of each fixed-rate phase (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 30;

    @Option(names = "--warmup", defaultValue = "10", description = "Warm-up seconds before each measured phase, not reported (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 10;

    @Option(names = "--jit-warmup", defaultValue = "20", description = "Seconds each target runs at saturation before the first phase, not reported, so every phase measures JIT-compiled code as a long-running sidecar would (default: ${DEFAULT-VALUE}).")
    int jitWarmupSeconds = 20;

    @Option(names = "--saturation-duration", description = "Measured seconds of the saturation phase (default: same as --duration).")
    @Nullable Integer saturationSeconds;

    @Option(names = "--concurrency", defaultValue = "64", description = "Outstanding requests in the saturation phase (default: ${DEFAULT-VALUE}).")
    int concurrency = 64;

    @Option(names = "--value-size", defaultValue = "1024", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    int valueSize = 1024;

    @Option(names = "--keys", defaultValue = "1000", description = "Distinct keys per target, written before the phases (default: ${DEFAULT-VALUE}).")
    int keyCount = 1000;

    @Option(names = "--quick", description = "Smoke run: 2 s warm-up and 5 s per phase (overrides --warmup, --duration, --saturation-duration).")
    boolean quick;

    @Option(names = "--direct-only", description = "Skip the sidecar (to check the harness itself); no goals can be judged.")
    boolean directOnly;

    @Option(names = "--sidecar-jvm-option", description = "Extra JVM option for the sidecar child JVM, repeatable (e.g. -XX:StartFlightRecording=filename=sidecar.jfr to profile it).")
    List<String> sidecarJvmOptions = new ArrayList<>();

    @Option(names = "--out", defaultValue = "benchmarks/target/state-benchmark.md", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("benchmarks/target/state-benchmark.md");

    @Option(names = "--work-dir", defaultValue = "benchmarks/target/state-benchmark", description = "Sidecar config and log go here (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of("benchmarks/target/state-benchmark");

    public static void main(String[] args) {
        // before any logger exists: the harness logs warnings only (the sidecar JVM is not affected)
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
        System.exit(new CommandLine(new StateBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration warmup = Duration.ofSeconds(quick ? 2 : warmupSeconds);
        Duration duration = Duration.ofSeconds(quick ? 5 : durationSeconds);
        Duration saturation = quick ? duration : Duration.ofSeconds(saturationSeconds == null ? durationSeconds : saturationSeconds);
        long clockTicks = ProcessStats.clockTicksPerSecond();
        var settings = new Report.Settings(warmup, duration, saturation, valueSize, keyCount);
        String marker = "layotto-bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        byte[] value = new byte[valueSize];
        ThreadLocalRandom.current().nextBytes(value);

        try (var admin = new RedisAdmin(redis)) {
            MachineFacts facts = MachineFacts.collect("Redis " + admin.version());
            CpuSteal steal = CpuSteal.start();
            progress("machine: %d cores, %s; key marker %s", facts.cores(), facts.jdk(), marker);
            try {
                List<PhaseResults> results;
                String sidecarCalls;
                try (var direct = new DirectRedisTarget(redis);
                        var sidecar = directOnly ? null : startSidecar(clockTicks)) {
                    // the harness measures itself too: what the client side costs, for perspective
                    var harness = new ResourceSampler(new ProcessStats(ProcessHandle.current().pid(), clockTicks));
                    var directWorkload = new Workload(direct, marker + ":direct:", keyCount, value);
                    @Nullable Workload sidecarWorkload = sidecar == null ? null
                            : new Workload(sidecar.target(), marker + ":sidecar:", keyCount, value);
                    Duration jitWarmup = Duration.ofSeconds(quick ? 2 : jitWarmupSeconds);
                    sidecarCalls = sidecar == null ? "not run (--direct-only)"
                            : sidecar.target().describeCalls() + "; sidecar JVM options: "
                                    + String.join(" ", SidecarProcess.JVM_OPTIONS) + " " + String.join(" ", sidecarJvmOptions)
                                    + "; before the first phase each target ran " + jitWarmup.toSeconds()
                                    + " s at saturation (JIT warm-up, not reported)";
                    progress("writing %,d keys per target", keyCount);
                    directWorkload.populate(concurrency);
                    if (sidecarWorkload != null) {
                        sidecarWorkload.populate(concurrency);
                    }
                    // A sidecar runs for days: measure compiled code, not the JIT's first minute.
                    var jitPhase = new Phase.Saturation(concurrency);
                    for (Workload workload : sidecarWorkload == null ? List.of(directWorkload)
                            : List.of(sidecarWorkload, directWorkload)) {
                        progress("JIT warm-up / %s: %d s at saturation", workload.target().name(), jitWarmup.toSeconds());
                        run(jitPhase, workload, jitWarmup);
                    }
                    var phases = new ArrayList<Phase>();
                    rates.forEach(rate -> phases.add(new Phase.FixedRate(rate)));
                    phases.add(new Phase.Saturation(concurrency));
                    results = new ArrayList<>();
                    for (Phase phase : phases) {
                        Duration measured = phase instanceof Phase.Saturation ? saturation : duration;
                        Measurement sidecarResult = sidecarWorkload == null ? null
                                : measure(phase, sidecarWorkload, sidecarWorkload.target().name(), warmup, measured, sidecar.sampler(), harness);
                        Measurement directResult = measure(phase, directWorkload, direct.name(), warmup, measured, null, harness);
                        results.add(new PhaseResults(phase, sidecarResult, directResult));
                    }
                    String report = Report.render(facts, settings, sidecarCalls, direct.describeCalls(), results,
                            MachineFacts.readLoadAverage() + "; " + steal.describeSinceStart());
                    System.out.println(report);
                    Files.createDirectories(out.toAbsolutePath().getParent());
                    Files.writeString(out, report);
                    progress("report written to %s", out);
                }
            } finally {
                progress("removed %,d benchmark keys", admin.deleteKeysContaining(marker));
            }
        }
        return 0;
    }

    private RunningSidecar startSidecar(long clockTicks) throws Exception {
        progress("starting the sidecar (%s) ...", SidecarProcess.MAIN_CLASS);
        var process = SidecarProcess.start(SidecarProcess.redisStateConfig(STORE_NAME, redis), workDir, sidecarJvmOptions);
        progress("sidecar ready: pid %d, gRPC port %d, log %s", process.pid(), process.grpcPort(), process.log());
        var sampler = new ResourceSampler(new ProcessStats(process.pid(), clockTicks));
        return new RunningSidecar(process, SidecarTarget.connect("127.0.0.1", process.grpcPort(), STORE_NAME), sampler);
    }

    /** Warm-up (not reported), then one measured run of {@code load}, sampling the sidecar and the harness. */
    static Measurement measure(Phase phase, Load workload, String target, Duration warmup, Duration measured,
            @Nullable ResourceSampler sidecar, ResourceSampler harness) throws InterruptedException {
        progress("%s / %s: warm-up %d s", phase.title(), target, warmup.toSeconds());
        run(phase, workload, warmup);
        progress("%s / %s: measuring %d s", phase.title(), target, measured.toSeconds());
        if (sidecar != null) {
            sidecar.start();
        }
        harness.start();
        RunResult result = run(phase, workload, measured);
        ResourceUse harnessUse = harness.stop();
        ResourceUse sidecarUse = sidecar == null ? null : sidecar.stop();
        progress("%s / %s: %,.0f req/s, %d errors, %d unfinished", phase.title(), target,
                result.totalRatePerSecond(), result.errors(), result.unfinished());
        return new Measurement(result, sidecarUse, harnessUse);
    }

    static RunResult run(Phase phase, Load workload, Duration duration) throws InterruptedException {
        return switch (phase) {
            case Phase.FixedRate(int rate) -> new RateLimitedRunner(workload).run(rate, duration);
            case Phase.Saturation(int streams) -> new ClosedLoopRunner(workload).run(streams, duration);
        };
    }

    static void progress(String format, Object... args) {
        System.err.println("[bench] " + String.format(format, args));
    }

    /** The child JVM, the gRPC client on it and the sampler of its /proc figures; closed in that order. */
    private record RunningSidecar(SidecarProcess process, SidecarTarget target, ResourceSampler sampler)
            implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            try {
                target.close();
            } finally {
                process.close();
            }
        }
    }
}
