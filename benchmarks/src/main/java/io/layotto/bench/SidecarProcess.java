package io.layotto.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar under test, started as a child JVM ({@code io.layotto.runtime.cli.LayottoMain start
 * -c <generated config>}) from the harness's own classpath, with a Layotto-style config whose
 * {@code grpc_config} the benchmark supplies (e.g. one Redis state store, or the pub/subs), on free
 * ports. Ready when {@code /actuator/health/readiness} answers 200.
 */
final class SidecarProcess implements AutoCloseable {

    static final String MAIN_CLASS = "io.layotto.runtime.cli.LayottoMain";
    /** As the distribution's bin/layotto runs it (Netty's leak detector off), with a fixed heap. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-Dio.netty.leakDetection.level=disabled",
            "--sun-misc-unsafe-memory-access=allow");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int grpcPort;
    private final int actuatorPort;
    private final Path log;

    private SidecarProcess(Process process, int grpcPort, int actuatorPort, Path log) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.actuatorPort = actuatorPort;
        this.log = log;
    }

    /**
     * Writes the config into {@code workDir}, starts the child JVM and waits until it is ready.
     *
     * @param grpcConfig the JSON object that becomes the runtime filter's {@code grpc_config}
     */
    static SidecarProcess start(String grpcConfig, Path workDir, List<String> extraJvmOptions)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        int grpcPort = freePort();
        int actuatorPort = freePort();
        Path config = workDir.resolve("sidecar-config.json");
        Files.writeString(config, config(grpcConfig, grpcPort, actuatorPort));
        Path log = workDir.resolve("sidecar.log");

        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(extraJvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, "start", "-c", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        var sidecar = new SidecarProcess(process, grpcPort, actuatorPort, log);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        try {
            sidecar.awaitReady();
        } catch (IOException | RuntimeException | InterruptedException e) {
            sidecar.close();
            throw e;
        }
        return sidecar;
    }

    /** The {@code grpc_config} of one Redis state store. */
    static String redisStateConfig(String storeName, String redisHostAndPort) {
        return "{ \"state\": { \"%s\": { \"type\": \"redis\", \"metadata\": { \"redisHost\": \"%s\" } } } }"
                .formatted(storeName, redisHostAndPort);
    }

    /** Layotto's config.json shape: a grpc listener hosting the runtime, and an actuator listener. */
    static String config(String grpcConfig, int grpcPort, int actuatorPort) {
        return """
                {
                  "servers": [
                    {
                      "default_log_path": "stdout",
                      "default_log_level": "INFO",
                      "routers": [ { "router_config_name": "actuator_dont_need_router" } ],
                      "listeners": [
                        {
                          "name": "grpc",
                          "address": "127.0.0.1:%d",
                          "bind_port": true,
                          "filter_chains": [ { "filters": [ {
                            "type": "grpc",
                            "config": {
                              "server_name": "runtime",
                              "grpc_config": %s
                            }
                          } ] } ]
                        },
                        {
                          "name": "actuator",
                          "address": "127.0.0.1:%d",
                          "bind_port": true,
                          "filter_chains": [ { "filters": [ {
                            "type": "proxy",
                            "config": {
                              "downstream_protocol": "Http1",
                              "upstream_protocol": "Http1",
                              "router_config_name": "actuator_dont_need_router"
                            }
                          } ] } ],
                          "stream_filters": [ { "type": "actuator_filter" } ]
                        }
                      ]
                    }
                  ]
                }
                """.formatted(grpcPort, grpcConfig, actuatorPort);
    }

    private void awaitReady() throws IOException, InterruptedException {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        var readiness = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + actuatorPort + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sidecar exited with code " + process.exitValue()
                        + " before it was ready; its log (" + log + ") ends with:\n" + logTail());
            }
            try {
                lastStatus = http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the actuator port opens a little after the JVM starts
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("sidecar not ready after " + READY_TIMEOUT.toSeconds()
                + " s (last readiness status " + lastStatus + "); its log (" + log + ") ends with:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    int grpcPort() {
        return grpcPort;
    }

    Path log() {
        return log;
    }

    /** SIGTERM (the sidecar drains and closes its components), then a hard kill if it hangs. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
