package io.layotto.e2e.apps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An append-only file of lines whose appends complete only once the line is on disk (written and
 * fsynced). One writer thread batches whatever is queued into one write and one fsync (group
 * commit), so durability does not cost one fsync per line.
 */
final class DurableLog implements AutoCloseable {

  private static final int MAX_BATCH = 4096;

  private record Pending(String line, CompletableFuture<Void> done) {}

  private final FileChannel channel;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  DurableLog(Path file) throws IOException {
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    writer = Thread.ofPlatform().name("durable-log-writer").daemon().start(this::run);
  }

  /** Completes when {@code line} is fsynced; fails when it could not be written. */
  CompletableFuture<Void> append(String line) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IOException("the log is closed"));
    } else {
      queue.add(new Pending(line, done));
    }
    return done;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      StringBuilder text = new StringBuilder();
      batch.forEach(p -> text.append(p.line()).append('\n'));
      try {
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(false);
        batch.forEach(p -> p.done().complete(null));
      } catch (IOException e) {
        batch.forEach(p -> p.done().completeExceptionally(e));
      }
      batch.clear();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    writer.interrupt();
    channel.close();
  }
}
