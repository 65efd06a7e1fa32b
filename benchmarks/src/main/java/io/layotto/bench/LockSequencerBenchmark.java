package io.layotto.bench;

import static io.layotto.bench.StateBenchmark.progress;

import io.layotto.bench.LockSequencerLoad.Kind;
import io.layotto.bench.LockSequencerReport.Row;
import io.layotto.bench.Report.Measurement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Lock (TryLock+Unlock pairs) and sequencer (GetNextId WEAK and STRONG) through the sidecar versus
 * the backend's own client doing the same work, for Redis (the shared server), etcd and ZooKeeper
 * (private ones started here): saturated throughput, then latency at a fixed rate, sidecar CPU and RSS. Prints
 * a Markdown report and writes it to {@code --out}. Run it with {@code benchmarks/run-lock-sequencer.sh}.
 */
@Command(name = "lock-sequencer-benchmark",
        description = "Benchmarks the Lock and Sequencer APIs through the Layotto sidecar against Lettuce / jetcd / Curator directly.")
public final class LockSequencerBenchmark implements Callable<Integer> {

    static final String LOCK_STORE = "bench_lock";
    static final String SEQUENCER = "bench_sequencer";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--backends", split = ",", defaultValue = "redis,etcd", description = "Backends to run, of redis, etcd and zookeeper (default: ${DEFAULT-VALUE}).")
    List<String> backends = List.of("redis", "etcd");

    @Option(names = "--redis", defaultValue = "127.0.0.1:6379", description = "Redis host:port (default: ${DEFAULT-VALUE}).")
    String redis = "127.0.0.1:6379";

    @Option(names = "--etcd-binary", defaultValue = "/usr/bin/etcd", description = "etcd binary for the private etcd (default: ${DEFAULT-VALUE}).")
    String etcdBinary = "/usr/bin/etcd";

    // etcd fsyncs every write; on a disk its p99 moves by milliseconds between runs and hides the
    // fraction of a millisecond the sidecar adds, so by default its data lives in memory
    @Option(names = {"--data-parent", "--etcd-data-parent"}, defaultValue = "/dev/shm", description = "Directory for the data dirs"
            + " of the private etcd and ZooKeeper (default: ${DEFAULT-VALUE}, a tmpfs, so the disk's fsync does not set the p99;"
            + " give a disk path to include it).")
    Path dataParent = Path.of("/dev/shm");

    @Option(names = "--rate", defaultValue = "1000", description = "Fixed rate, ops/s (default: ${DEFAULT-VALUE}).")
    int rate = 1000;

    @Option(names = "--concurrency", defaultValue = "16", description = "Concurrent callers when saturated (default: ${DEFAULT-VALUE}).")
    int concurrency = 16;

    @Option(names = "--duration", defaultValue = "15", description = "Measured seconds of each run (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 15;

    @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds before each measured run, not reported (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 5;

    @Option(names = "--jit-warmup", defaultValue = "10", description = "Seconds each load runs saturated on each target before the first measurement of a backend (default: ${DEFAULT-VALUE}).")
    int jitWarmupSeconds = 10;

    @Option(names = "--quick", description = "Smoke run: 2 s warm-ups and 5 s runs.")
    boolean quick;

    @Option(names = "--sidecar-jvm-option", description = "Extra JVM option for the sidecar child JVM, repeatable.")
    List<String> sidecarJvmOptions = new ArrayList<>();

    @Option(names = "--out", defaultValue = "benchmarks/target/lock-sequencer-benchmark.md", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("benchmarks/target/lock-sequencer-benchmark.md");

    @Option(names = "--work-dir", defaultValue = "benchmarks/target/lock-sequencer-benchmark", description = "Sidecar configs and logs go here (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of("benchmarks/target/lock-sequencer-benchmark");

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
        System.exit(new CommandLine(new LockSequencerBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String backend : backends) {
            if (!List.of("redis", "etcd", "zookeeper").contains(backend)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--backends: unknown backend '" + backend + "', expected redis, etcd or zookeeper");
            }
        }
        if ((backends.contains("etcd") || backends.contains("zookeeper")) && !Files.isDirectory(dataParent)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--data-parent: " + dataParent + " is not a directory");
        }
        Duration warmup = Duration.ofSeconds(quick ? 2 : warmupSeconds);
        Duration duration = Duration.ofSeconds(quick ? 5 : durationSeconds);
        Duration jitWarmup = Duration.ofSeconds(quick ? 2 : jitWarmupSeconds);
        long clockTicks = ProcessStats.clockTicksPerSecond();
        String marker = "layotto-bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        var rows = new ArrayList<Row>();
        var calls = new ArrayList<String>();
        var servers = new ArrayList<String>();
        var harness = new ResourceSampler(new ProcessStats(ProcessHandle.current().pid(), clockTicks));
        MachineFacts start = MachineFacts.collect("");
        CpuSteal steal = CpuSteal.start();

        for (String backend : backends) {
            if (backend.equals("redis")) {
                try (var admin = new RedisAdmin(redis)) {
                    servers.add("Redis " + admin.version() + " at " + redis + " (shared)");
                    try {
                        runBackend("redis", redisConfig(redis), new DirectRedisLockSequencerTarget(redis), marker,
                                clockTicks, warmup, duration, jitWarmup, harness, rows, calls);
                    } finally {
                        progress("removed %,d benchmark keys from Redis", admin.deleteKeysContaining(marker));
                    }
                }
            } else if (backend.equals("zookeeper")) {
                try (var zookeeper = BenchZookeeper.start(dataParent)) {
                    servers.add(zookeeper.version() + " (private, " + zookeeper.connectString() + ", data in "
                            + zookeeper.storage() + ", removed afterwards)");
                    runBackend("zookeeper", zookeeperConfig(zookeeper.connectString()),
                            new DirectZookeeperLockSequencerTarget(zookeeper.connectString(), concurrency), marker,
                            clockTicks, warmup, duration, jitWarmup, harness, rows, calls);
                }
            } else {
                try (var etcd = BenchEtcd.start(etcdBinary, dataParent)) {
                    servers.add(etcd.version() + " (private, " + etcd.endpoint() + ", data in " + etcd.storage()
                            + ", removed afterwards)");
                    runBackend("etcd", etcdConfig(etcd.endpoint()), new DirectEtcdLockSequencerTarget(etcd.endpoint()), marker,
                            clockTicks, warmup, duration, jitWarmup, harness, rows, calls);
                }
            }
        }
        var facts = new MachineFacts(start.cores(), start.cpuModel(), start.jdk(), start.os(),
                String.join("; ", servers), start.loadAverage());
        String settings = String.format(Locale.ROOT, "%d s measured after %d s warm-up per run; %d s saturated JIT warm-up"
                + " per load and target; lock lease %d s; sidecar JVM options %s", duration.toSeconds(), warmup.toSeconds(),
                jitWarmup.toSeconds(), LockSequencerTarget.LOCK_SECONDS,
                String.join(" ", SidecarProcess.JVM_OPTIONS) + " " + String.join(" ", sidecarJvmOptions));
        String report = LockSequencerReport.render(facts, settings, calls, rows, rate, concurrency, MachineFacts.readLoadAverage() + "; " + steal.describeSinceStart());
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        progress("report written to %s", out);
        return 0;
    }

    private void runBackend(String backend, String grpcConfig, LockSequencerTarget direct, String marker, long clockTicks,
            Duration warmup, Duration duration, Duration jitWarmup, ResourceSampler harness, List<Row> rows,
            List<String> calls) throws Exception {
        progress("%s: starting the sidecar ...", backend);
        try (direct;
                var process = SidecarProcess.start(grpcConfig, workDir.resolve(backend), sidecarJvmOptions);
                var sidecar = new SidecarLockSequencerTarget("127.0.0.1", process.grpcPort(), LOCK_STORE, SEQUENCER, backend)) {
            progress("%s: sidecar ready: pid %d, gRPC port %d, log %s", backend, process.pid(), process.grpcPort(), process.log());
            calls.add(backend + ", sidecar: " + sidecar.describeCalls());
            calls.add(backend + ", direct: " + direct.describeCalls());
            var sampler = new ResourceSampler(new ProcessStats(process.pid(), clockTicks));
            var loads = new ArrayList<LockSequencerLoad>();
            for (Kind kind : Kind.values()) {
                loads.add(new LockSequencerLoad(sidecar, kind, marker + ":sidecar:"));
                if (kind != Kind.ID_WEAK || direct.hasWeak()) {
                    loads.add(new LockSequencerLoad(direct, kind, marker + ":direct:"));
                }
            }
            // a sidecar runs for days: measure compiled code, not the JIT's first minute
            for (LockSequencerLoad load : loads) {
                progress("%s / JIT warm-up / %s %s: %d s saturated", backend, load.target().name(), load.kind().label(),
                        jitWarmup.toSeconds());
                StateBenchmark.run(new Phase.Saturation(concurrency), load, jitWarmup);
            }
            for (LockSequencerLoad load : loads) {
                ResourceSampler sidecarSampler = load.target() == sidecar ? sampler : null;
                String label = backend + " " + load.kind().label() + " / " + load.target().name();
                Measurement saturated = StateBenchmark.measure(new Phase.Saturation(concurrency), load, label,
                        warmup, duration, sidecarSampler, harness);
                Measurement fixed = StateBenchmark.measure(new Phase.FixedRate(rate), load, label,
                        warmup, duration, sidecarSampler, harness);
                rows.add(new Row(backend, load.kind(), load.target().name(), saturated, fixed));
            }
        }
    }

    static String redisConfig(String redis) {
        String component = "{ \"type\": \"redis\", \"metadata\": { \"redisHost\": \"%s\" } }".formatted(redis);
        return "{ \"lock\": { \"%s\": %s }, \"sequencer\": { \"%s\": %s } }".formatted(LOCK_STORE, component, SEQUENCER, component);
    }

    static String zookeeperConfig(String connectString) {
        String component = "{ \"type\": \"zookeeper\", \"metadata\": { \"zookeeperHosts\": \"%s\" } }".formatted(connectString);
        return "{ \"lock\": { \"%s\": %s }, \"sequencer\": { \"%s\": %s } }".formatted(LOCK_STORE, component, SEQUENCER, component);
    }

    static String etcdConfig(String endpoint) {
        String component = "{ \"type\": \"etcd\", \"metadata\": { \"endpoints\": \"%s\" } }".formatted(endpoint);
        return "{ \"lock\": { \"%s\": %s }, \"sequencer\": { \"%s\": %s } }".formatted(LOCK_STORE, component, SEQUENCER, component);
    }
}
