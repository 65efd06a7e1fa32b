package io.layotto.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark's own etcd ({@code /usr/bin/etcd} unless {@code --etcd-binary}) on free ports with a
 * temp data dir under a given parent, removed on close; nobody else's etcd is touched.
 */
final class BenchEtcd implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int clientPort;
    private final Process process;
    private final String binary;

    private BenchEtcd(String binary, Path dir, int clientPort, Process process) {
        this.binary = binary;
        this.dir = dir;
        this.clientPort = clientPort;
        this.process = process;
    }

    static BenchEtcd start(String binary, Path dataParent) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(dataParent, "layotto-bench-etcd");
        int clientPort = SidecarProcess.freePort();
        int peerPort = SidecarProcess.freePort();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Process process = new ProcessBuilder(List.of(binary, "--name", "bench", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--log-level", "error"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        var etcd = new BenchEtcd(binary, dir, clientPort, process);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!etcd.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                etcd.close();
                throw new IllegalStateException("etcd (" + binary + ") on port " + clientPort + " did not start within "
                        + START_TIMEOUT.toSeconds() + " s; see its log in " + dir);
            }
            Thread.sleep(50);
        }
        return etcd;
    }

    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    String version() {
        try {
            var p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("etcd");
            p.waitFor(5, TimeUnit.SECONDS);
            return out.trim();
        } catch (IOException e) {
            return "etcd (version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "etcd";
        }
    }

    /** Where etcd keeps its data and on what kind of file system ({@code tmpfs}, {@code ext4}, ...). */
    String storage() {
        try {
            return dir + " (" + Files.getFileStore(dir).type() + ")";
        } catch (IOException e) {
            return dir.toString();
        }
    }

    long pid() {
        return process.pid();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
