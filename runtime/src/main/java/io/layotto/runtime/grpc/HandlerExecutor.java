package io.layotto.runtime.grpc;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor for work that may block: gRPC runs the handlers of all methods but the event-loop
 * ones on it ({@link ApiServices#EVENT_LOOP_METHODS}), and those hand it their calls of blocking
 * components. Such work waits on backend I/O, so it must tolerate many waiting calls; but a fresh virtual thread per task (gRPC runs several tasks per call) pays
 * for its thread locals (Netty's allocator cache and thread-local map, protobuf and gRPC state) and
 * its stack chunks again and again, which showed up as about a quarter of the sidecar's
 * allocation at 1,000 req/s. So the steady load runs on a pool of reused platform threads, and
 * only a burst beyond the pool's size spills over to virtual threads, keeping concurrency
 * unbounded.
 */
public final class HandlerExecutor extends AbstractExecutorService {

  private static final long IDLE_SECONDS = 60;

  private final ThreadPoolExecutor pooled;
  private final ExecutorService overflow;

  private HandlerExecutor(int poolSize) {
    this.overflow = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("layotto-handler-v", 0).factory());
    this.pooled = new ThreadPoolExecutor(0, poolSize, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
        daemonThreads(), (task, pool) -> overflow.execute(task));
  }

  /** @param poolSize platform threads kept for the steady load; tasks beyond run on virtual threads */
  public static HandlerExecutor create(int poolSize) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be >= 1, was " + poolSize);
    }
    return new HandlerExecutor(poolSize);
  }

  @Override
  public void execute(Runnable task) {
    pooled.execute(task);
  }

  @Override
  public void shutdown() {
    pooled.shutdown();
    overflow.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> pending = new java.util.ArrayList<>(pooled.shutdownNow());
    pending.addAll(overflow.shutdownNow());
    return pending;
  }

  @Override
  public boolean isShutdown() {
    return pooled.isShutdown() && overflow.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return pooled.isTerminated() && overflow.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    return pooled.awaitTermination(timeout, unit)
        && overflow.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Platform threads in use now (for tests). */
  int pooledThreads() {
    return pooled.getPoolSize();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger next = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "layotto-handler-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
