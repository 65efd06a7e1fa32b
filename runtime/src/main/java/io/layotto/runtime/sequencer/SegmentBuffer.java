package io.layotto.runtime.sequencer;

import io.layotto.spi.ComponentException;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.Sequencer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WEAK ids of one key of one sequencer, served from a range reserved in the backend (Layotto's
 * double buffer): ids come out of the current range in order; when a tenth of it is left the next
 * range is reserved in the background, so callers rarely wait for the backend. Ranges from the
 * backend only grow, so the ids of one sidecar increase; ids left unused when the sidecar stops are
 * skipped (WEAK allows gaps).
 */
final class SegmentBuffer {

  private static final Logger log = LoggerFactory.getLogger(SegmentBuffer.class);
  /** Bound of waiting for a prefetch already running before reserving directly. */
  private static final long PREFETCH_WAIT_SECONDS = 30;
  /** {@link #nextIdNow()}'s answer when an id cannot be had without waiting; never an id. */
  static final long NOT_NOW = Long.MIN_VALUE;
  private static final Executor BACKGROUND = task -> Thread.ofVirtual().name("sequencer-prefetch").start(task);

  private final Sequencer sequencer;
  private final String key;
  private final int size;
  private final int refillAt;
  private final ReentrantLock lock = new ReentrantLock();
  private long next = 1;
  private long last = 0;
  private @Nullable CompletableFuture<IdRange> prefetch;

  SegmentBuffer(Sequencer sequencer, String key, int size) {
    this.sequencer = sequencer;
    this.key = key;
    this.size = size;
    this.refillAt = Math.max(1, size / 10);
  }

  /**
   * The next id if it can be had at once, from the current range and without waiting for the lock
   * (another caller may be holding it while it waits for the backend); else {@link #NOT_NOW}.
   */
  long nextIdNow() {
    if (!lock.tryLock()) {
      return NOT_NOW;
    }
    try {
      return next > last ? NOT_NOW : take();
    } finally {
      lock.unlock();
    }
  }

  long nextId() {
    lock.lock();
    try {
      if (next > last) {
        IdRange range = takePrefetched();
        if (range == null) {
          range = reserve();
        }
        if (range == null) {
          // fewer ids than a segment are left: the last ones are handed out one by one
          return sequencer.nextId(key);
        }
        next = range.first();
        last = range.last();
      }
      return take();
    } finally {
      lock.unlock();
    }
  }

  /** The next id of the current range (not empty), starting the next reservation when it runs low. */
  private long take() {
    long id = next++;
    if (prefetch == null && last - next + 1 <= refillAt) {
      prefetch = CompletableFuture.supplyAsync(() -> sequencer.reserve(key, size), BACKGROUND);
    }
    return id;
  }

  /** The range a background reservation got; null when there is none or it failed. */
  private @Nullable IdRange takePrefetched() {
    CompletableFuture<IdRange> pending = prefetch;
    prefetch = null;
    if (pending == null) {
      return null;
    }
    try {
      return pending.get(PREFETCH_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted while waiting for the next range of ids of key '" + key + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      // reserve again in the caller's thread: it fails with the component's own error if the backend is down
      log.debug("background reservation for key '{}' failed: {}", key, e.toString());
      return null;
    }
  }

  /** A new range; null when the key has fewer ids left than a range holds. */
  private @Nullable IdRange reserve() {
    try {
      return sequencer.reserve(key, size);
    } catch (ComponentException e) {
      if (e.kind() == ComponentException.Kind.RESOURCE_EXHAUSTED) {
        return null;
      }
      throw e;
    }
  }
}
