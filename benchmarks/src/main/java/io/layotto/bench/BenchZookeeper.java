package io.layotto.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.zookeeper.Version;

/**
 * The benchmark's own ZooKeeper server: {@code ZooKeeperServerMain} from the ZooKeeper jar on the
 * benchmark's class path, in a child JVM on a free port, data in a temp dir under a given parent,
 * removed on close; nobody else's server is touched.
 */
final class BenchZookeeper implements AutoCloseable {

    private final ChildServer server;

    private BenchZookeeper(ChildServer server) {
        this.server = server;
    }

    static BenchZookeeper start(Path dataParent) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(dataParent, "layotto-bench-zookeeper");
        int port = SidecarProcess.freePort();
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(config, String.join("\n", "tickTime=2000", "dataDir=" + dir.resolve("data"),
                "clientPort=" + port, "clientPortAddress=127.0.0.1", "maxClientCnxns=0", "admin.enableServer=false",
                "metricsProvider.className=org.apache.zookeeper.metrics.impl.NullMetricsProvider", ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        return new BenchZookeeper(ChildServer.start("zookeeper", dir, port, List.of(java, "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "org.apache.zookeeper.server.ZooKeeperServerMain",
                config.toString())));
    }

    String connectString() {
        return "127.0.0.1:" + server.port();
    }

    String version() {
        return "ZooKeeper " + Version.getFullVersion().split("[ ,-]")[0];
    }

    String storage() {
        return server.storage();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
