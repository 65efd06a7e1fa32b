package io.layotto.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.layotto.bench.PubSubReport.BackendResults;
import io.layotto.bench.PubSubReport.Measurement;
import io.layotto.bench.PubSubReport.Phase;
import io.layotto.bench.ResourceSampler.ResourceUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publish-to-delivery latency at a fixed rate and saturated throughput, through the sidecar
 * (Layotto {@code PublishEvent} + {@code SubscribeTopicEvents}) versus each broker's own Java client
 * (Lettuce on Redis Streams, jnats on JetStream), for the in-memory, redis and jetstream pub/subs,
 * in one run. Prints a Markdown report and writes it to {@code --out}. Run it with
 * {@code benchmarks/run-pubsub.sh}.
 */
@Command(name = "pubsub-benchmark",
        description = "Benchmarks Pub/Sub through the Layotto sidecar against the brokers' own Java clients.")
public final class PubSubBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--backends", split = ",", defaultValue = "in-memory,redis,jetstream", converter = BackendConverter.class,
            description = "Pub/subs to measure, in this order (default: ${DEFAULT-VALUE}).")
    List<Backend> backends = List.of(Backend.values());

    @Option(names = "--redis", defaultValue = "127.0.0.1:6379", description = "Redis host:port (default: ${DEFAULT-VALUE}).")
    String redis = "127.0.0.1:6379";

    @Option(names = "--nats", defaultValue = "nats://127.0.0.1:4222", description = "NATS server with JetStream (default: ${DEFAULT-VALUE}).")
    String nats = "nats://127.0.0.1:4222";

    @Option(names = "--rate", defaultValue = "1000", description = "Messages per second of the fixed-rate phase (default: ${DEFAULT-VALUE}).")
    int rate = 1000;

    @Option(names = "--duration", defaultValue = "30", description = "Measured seconds of the fixed-rate phase (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 30;

    @Option(names = "--warmup", defaultValue = "10", description = "Warm-up seconds before each measured run, not reported (default: ${DEFAULT-VALUE}).")
    int warmupSeconds = 10;

    @Option(names = "--jit-warmup", defaultValue = "20", description = "Seconds each target of a backend runs at saturation before that backend's first phase, not reported, so the phases measure JIT-compiled code as a long-running sidecar would (default: ${DEFAULT-VALUE}).")
    int jitWarmupSeconds = 20;

    @Option(names = "--saturation-duration", description = "Measured seconds of the saturation phase (default: same as --duration).")
    @Nullable Integer saturationSeconds;

    @Option(names = "--window", defaultValue = "1000", description = "Messages outstanding (published, not yet received) in the saturation phase (default: ${DEFAULT-VALUE}).")
    int window = 1000;

    @Option(names = "--max-in-flight", defaultValue = "100", description = "Messages per subscription handed out and not yet acked: the sidecar's maxConcurrency, the direct clients' read/batch size (default: ${DEFAULT-VALUE}, the runtime's default).")
    int maxInFlight = 16;

    /** How the sidecar hands messages to the benchmark's subscriber. */
    enum Delivery { STREAM, CALLBACK }

    @Option(names = "--delivery", defaultValue = "stream", converter = DeliveryConverter.class,
            description = "stream: a SubscribeTopicEvents stream per topic; callback: the app's AppCallback server"
                    + " (app.grpc_callback_port), as Dapr apps usually receive (default: ${DEFAULT-VALUE}).")
    Delivery delivery = Delivery.STREAM;

    /** picocli: a delivery path by its lower-case name. */
    public static final class DeliveryConverter implements CommandLine.ITypeConverter<Delivery> {
        @Override
        public Delivery convert(String value) {
            return Delivery.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    @Option(names = "--payload-size", defaultValue = "1024", description = "Bytes per message (default: ${DEFAULT-VALUE}).")
    int payloadSize = 1024;

    @Option(names = "--payload-format", defaultValue = "binary", converter = PayloadFormatConverter.class,
            description = "binary: a binary header and random bytes, published as application/octet-stream (the sidecar's"
                    + " envelope carries it in data_base64); json: one JSON object, published as application/json as the"
                    + " Dapr SDKs publish objects (the envelope embeds it as data). The direct clients publish the same"
                    + " bytes (default: ${DEFAULT-VALUE}).")
    PayloadFormat payloadFormat = PayloadFormat.BINARY;

    /** picocli: a payload format by its lower-case name. */
    public static final class PayloadFormatConverter implements CommandLine.ITypeConverter<PayloadFormat> {
        @Override
        public PayloadFormat convert(String value) {
            return PayloadFormat.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    @Option(names = "--quick", description = "Smoke run: 2 s warm-up and 5 s per phase (overrides --warmup, --duration, --saturation-duration).")
    boolean quick;

    @Option(names = "--sidecar-jvm-option", description = "Extra JVM option for the sidecar child JVM, repeatable (e.g. -XX:StartFlightRecording=filename=sidecar.jfr to profile it).")
    List<String> sidecarJvmOptions = new ArrayList<>();

    @Option(names = "--out", defaultValue = "benchmarks/target/pubsub-benchmark.md", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("benchmarks/target/pubsub-benchmark.md");

    @Option(names = "--work-dir", defaultValue = "benchmarks/target/pubsub-benchmark", description = "Sidecar config and log go here (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of("benchmarks/target/pubsub-benchmark");

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
        System.exit(new CommandLine(new PubSubBenchmark()).execute(args));
    }

    /** picocli: a backend by its component type. */
    public static final class BackendConverter implements CommandLine.ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            return Backend.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (payloadSize < payloadFormat.minimumSize()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--payload-size must be at least "
                    + payloadFormat.minimumSize() + " for " + payloadFormat.label() + " payloads, was " + payloadSize);
        }
        Duration warmup = Duration.ofSeconds(quick ? 2 : warmupSeconds);
        Duration duration = Duration.ofSeconds(quick ? 5 : durationSeconds);
        Duration saturation = quick ? duration : Duration.ofSeconds(saturationSeconds == null ? durationSeconds : saturationSeconds);
        Duration jitWarmup = Duration.ofSeconds(quick ? 2 : jitWarmupSeconds);
        var settings = new PubSubReport.Settings(payloadFormat, payloadSize, rate, jitWarmup, warmup, duration, saturation, window,
                maxInFlight);
        long clockTicks = ProcessStats.clockTicksPerSecond();
        String marker = "layotto-bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        byte[] template = payloadFormat.template(payloadSize, ThreadLocalRandom.current());
        boolean useRedis = backends.contains(Backend.REDIS);
        boolean useNats = backends.contains(Backend.JETSTREAM);

        try (var redisAdmin = useRedis ? new RedisAdmin(redis) : null;
                var natsAdmin = useNats ? new NatsAdmin(nats) : null) {
            var servers = new ArrayList<String>();
            if (redisAdmin != null) {
                servers.add("Redis " + redisAdmin.version());
            }
            if (natsAdmin != null) {
                servers.add("NATS " + natsAdmin.version());
            }
            MachineFacts facts = MachineFacts.collect(servers.isEmpty() ? "no external server" : String.join(", ", servers));
            CpuSteal steal = CpuSteal.start();
            progress("machine: %d cores, %s; topic marker %s", facts.cores(), facts.jdk(), marker);
            try (var callbacks = delivery == Delivery.CALLBACK ? BenchAppCallback.start(backends.stream()
                    .map(b -> new BenchAppCallback.Topic(b.componentName(), sidecarTopic(marker, b))).toList()) : null) {
                progress("starting the sidecar (%s) ...", SidecarProcess.MAIN_CLASS);
                try (var sidecar = SidecarProcess.start(grpcConfig(callbacks == null ? 0 : callbacks.port()), workDir,
                        sidecarJvmOptions)) {
                    progress("sidecar ready: pid %d, gRPC port %d, log %s", sidecar.pid(), sidecar.grpcPort(), sidecar.log());
                    var sidecarSampler = new ResourceSampler(new ProcessStats(sidecar.pid(), clockTicks));
                    var harness = new ResourceSampler(new ProcessStats(ProcessHandle.current().pid(), clockTicks));
                    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort())
                            .usePlaintext().directExecutor().build();
                    var results = new ArrayList<BackendResults>();
                    try {
                        for (Backend backend : backends) {
                            results.add(measureBackend(backend, marker, channel, callbacks, template, settings,
                                    sidecarSampler, harness));
                        }
                    } finally {
                        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                    }
                    String report = PubSubReport.render(facts, settings, results, MachineFacts.readLoadAverage() + "; " + steal.describeSinceStart());
                    System.out.println(report);
                    Files.createDirectories(out.toAbsolutePath().getParent());
                    Files.writeString(out, report);
                    progress("report written to %s", out);
                }
            } finally {
                if (redisAdmin != null) {
                    progress("removed %,d benchmark streams from Redis", redisAdmin.deleteKeysContaining(marker));
                }
                if (natsAdmin != null) {
                    progress("removed %,d benchmark streams from NATS", natsAdmin.deleteStreamsContaining(marker));
                }
            }
        }
        return 0;
    }

    /**
     * The sidecar's {@code grpc_config}: one pub/sub per backend measured, each with the same
     * maxConcurrency, and the app's callback port when it is not 0.
     */
    String grpcConfig(int callbackPort) {
        ObjectNode config = JSON.createObjectNode();
        if (callbackPort != 0) {
            config.putObject("app").put("app_id", "pubsub-benchmark").put("grpc_callback_port", callbackPort);
        }
        ObjectNode pubSubs = config.putObject("pub_subs");
        for (Backend backend : backends) {
            ObjectNode component = pubSubs.putObject(backend.componentName());
            component.put("type", backend.type());
            ObjectNode metadata = component.putObject("metadata");
            metadata.put("maxConcurrency", String.valueOf(maxInFlight));
            switch (backend) {
                case IN_MEMORY -> { }
                case REDIS -> metadata.put("redisHost", redis);
                case JETSTREAM -> metadata.put("natsURL", nats);
            }
        }
        return config.toString();
    }

    private static String sidecarTopic(String marker, Backend backend) {
        return marker + "-" + backend.type() + "-sidecar";
    }

    private BackendResults measureBackend(Backend backend, String marker, ManagedChannel channel,
            @Nullable BenchAppCallback callbacks, byte[] template, PubSubReport.Settings settings,
            ResourceSampler sidecarSampler, ResourceSampler harness) throws Exception {
        String topicBase = marker + "-" + backend.type();
        try (var sidecar = new SidecarPubSubTarget(channel, backend.componentName(), sidecarTopic(marker, backend),
                payloadFormat.contentType(), callbacks);
                var direct = directTarget(backend, marker, topicBase + "-direct")) {
            var sidecarRouter = new DeliveryRouter(payloadFormat, payloadSize);
            sidecar.subscribe(sidecarRouter);
            var sidecarRunner = new PubSubRunner(sidecar, sidecarRouter, payloadFormat, template);
            PubSubRunner directRunner = null;
            if (direct != null) {
                var directRouter = new DeliveryRouter(payloadFormat, payloadSize);
                direct.subscribe(directRouter);
                directRunner = new PubSubRunner(direct, directRouter, payloadFormat, template);
            }
            // A sidecar runs for days: measure compiled code, not the JIT's first minute (on a slow
            // host C2 still takes a quarter of a core a minute after start).
            if (!settings.jitWarmup().isZero()) {
                progress("%s / JIT warm-up / sidecar: %d s at saturation", backend.type(), settings.jitWarmup().toSeconds());
                sidecarRunner.saturation(settings.window(), settings.jitWarmup());
                if (directRunner != null) {
                    progress("%s / JIT warm-up / direct: %d s at saturation", backend.type(), settings.jitWarmup().toSeconds());
                    directRunner.saturation(settings.window(), settings.jitWarmup());
                }
            }
            String fixedTitle = String.format(Locale.ROOT, "Fixed rate %,d msg/s", settings.rate());
            String saturationTitle = String.format(Locale.ROOT, "Saturation, %,d messages outstanding", settings.window());
            Phase fixed = new Phase(fixedTitle,
                    measure(backend, fixedTitle, sidecarRunner, "sidecar", settings, false, sidecarSampler, harness),
                    directRunner == null ? null
                            : measure(backend, fixedTitle, directRunner, "direct", settings, false, null, harness));
            Phase saturation = new Phase(saturationTitle,
                    measure(backend, saturationTitle, sidecarRunner, "sidecar", settings, true, sidecarSampler, harness),
                    directRunner == null ? null
                            : measure(backend, saturationTitle, directRunner, "direct", settings, true, null, harness));
            return new BackendResults(backend, sidecar.describeCalls(), direct == null ? null : direct.describeCalls(),
                    fixed, saturation);
        }
    }

    private @Nullable PubSubTarget directTarget(Backend backend, String marker, String topic) throws Exception {
        return switch (backend) {
            case IN_MEMORY -> null;
            case REDIS -> new DirectRedisStreamsTarget(redis, topic, maxInFlight);
            case JETSTREAM -> new DirectJetStreamTarget(nats, "LAYOTTO_BENCH_" + marker + "_direct", topic, maxInFlight);
        };
    }

    private static Measurement measure(Backend backend, String phase, PubSubRunner runner, String target,
            PubSubReport.Settings settings, boolean saturation, @Nullable ResourceSampler sidecar, ResourceSampler harness)
            throws InterruptedException {
        String label = backend.type() + " / " + phase + " / " + target;
        progress("%s: warm-up %d s", label, settings.warmup().toSeconds());
        run(runner, settings, saturation, settings.warmup());
        Duration measured = saturation ? settings.saturationDuration() : settings.duration();
        progress("%s: measuring %d s", label, measured.toSeconds());
        if (sidecar != null) {
            sidecar.start();
        }
        harness.start();
        DeliveryResult result = run(runner, settings, saturation, measured);
        ResourceUse harnessUse = harness.stop();
        ResourceUse sidecarUse = sidecar == null ? null : sidecar.stop();
        progress("%s: %,.0f msg/s delivered, p99 %s ms, %d unfinished, %d publish errors, %d duplicates", label,
                result.deliveredPerSecond(), Report.ms(result.latency().p99()), result.unfinished(),
                result.publishErrors(), result.duplicates());
        return new Measurement(result, sidecarUse, harnessUse);
    }

    private static DeliveryResult run(PubSubRunner runner, PubSubReport.Settings settings, boolean saturation,
            Duration duration) throws InterruptedException {
        return saturation ? runner.saturation(settings.window(), duration) : runner.fixedRate(settings.rate(), duration);
    }

    private static void progress(String format, Object... args) {
        System.err.println("[bench] " + String.format(format, args));
    }
}
