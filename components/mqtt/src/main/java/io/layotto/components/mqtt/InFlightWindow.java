package io.layotto.components.mqtt;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hands items to a consumer with at most {@code limit} of them outstanding (handed out and not yet
 * {@linkplain #release() released}); the rest wait in arrival order. The waiting queue is bounded by
 * the broker: it sends no more unacked messages than its in-flight window (Mosquitto's
 * {@code max_inflight_messages}, default 20). Thread-safe; the consumer runs outside the lock.
 *
 * @param <T> what is handed out
 */
final class InFlightWindow<T> {

  private final int limit;
  private final Consumer<T> consumer;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<T> waiting = new ArrayDeque<>();
  private int outstanding;
  private final AtomicInteger draining = new AtomicInteger();

  InFlightWindow(int limit, Consumer<T> consumer) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    this.limit = limit;
    this.consumer = consumer;
  }

  /** Queues an item behind the waiting ones and hands out what the window allows. */
  void offer(T item) {
    lock.lock();
    try {
      waiting.addLast(item);
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Frees the slot of an item that was handed out and hands out what the window allows. */
  void release() {
    lock.lock();
    try {
      if (outstanding > 0) {
        outstanding--;
      }
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Drops every waiting item (not the outstanding ones) and returns them in arrival order. */
  java.util.List<T> clearWaiting() {
    lock.lock();
    try {
      java.util.List<T> dropped = java.util.List.copyOf(waiting);
      waiting.clear();
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  int outstanding() {
    lock.lock();
    try {
      return outstanding;
    } finally {
      lock.unlock();
    }
  }

  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands out what the window allows. One thread at a time does it; a call arriving meanwhile (also a
   * release from inside the consumer) leaves the work to that thread, so the stack stays flat even
   * when a consumer completes at once.
   */
  private void drain() {
    if (draining.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      while (true) {
        T next;
        lock.lock();
        try {
          if (outstanding >= limit || waiting.isEmpty()) {
            break;
          }
          next = waiting.pollFirst();
          outstanding++;
        } finally {
          lock.unlock();
        }
        consumer.accept(next);
      }
      missed = draining.addAndGet(-missed);
    } while (missed != 0);
  }
}
