package io.layotto.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's own etcd ({@code /usr/bin/etcd} unless {@code --etcd-binary}) on free ports with a
 * temp data dir under a given parent, removed on close; nobody else's etcd is touched.
 */
final class BenchEtcd implements AutoCloseable {

    private final ChildServer server;
    private final String binary;

    private BenchEtcd(ChildServer server, String binary) {
        this.server = server;
        this.binary = binary;
    }

    static BenchEtcd start(String binary, Path dataParent) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(dataParent, "layotto-bench-etcd");
        int clientPort = SidecarProcess.freePort();
        int peerPort = SidecarProcess.freePort();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        return new BenchEtcd(ChildServer.start("etcd", dir, clientPort, List.of(binary, "--name", "bench",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--log-level", "error")), binary);
    }

    String endpoint() {
        return "127.0.0.1:" + server.port();
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

    String storage() {
        return server.storage();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
