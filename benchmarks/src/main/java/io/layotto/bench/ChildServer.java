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
 * A server the benchmark starts for itself (etcd, ZooKeeper): a child process listening on a free
 * port of 127.0.0.1, with its data and log in a temp dir that is removed, with the process, on close.
 */
final class ChildServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Path dir;
    private final int port;
    private final Process process;

    private ChildServer(String name, Path dir, int port, Process process) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts {@code command} (its log goes to {@code <dir>/<name>.log}) and waits until {@code port} accepts. */
    static ChildServer start(String name, Path dir, int port, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        var server = new ChildServer(name, dir, port, process);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!server.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException(name + " (" + command.getFirst() + ") on port " + port
                        + " did not start within " + START_TIMEOUT.toSeconds() + " s; see its log in " + dir);
            }
            Thread.sleep(50);
        }
        return server;
    }

    int port() {
        return port;
    }

    /** Where the server keeps its data and on what kind of file system ({@code tmpfs}, {@code ext4}, ...). */
    String storage() {
        try {
            return dir + " (" + Files.getFileStore(dir).type() + ")";
        } catch (IOException e) {
            return dir.toString();
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
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
