package io.layotto.spi.sequencer;

import io.layotto.spi.ComponentException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group commit for a counter kept in a backend: per key one update is in flight at a time; the calls
 * that arrive meanwhile wait, and the next update serves all of them at once, advancing the counter
 * by their total and handing the ids out in arrival order. Without it, callers of one key take turns
 * at one backend round trip each.
 *
 * <p>The ids stay STRONG: every call of one update started before the update was sent and none had
 * returned, so any order among them is one a single counter could have produced, and each id is
 * above every id returned before its call began. A batch that would pass int64 is served one call at
 * a time instead, so the calls that fit get the last ids and only the rest fail.
 *
 * <p>Nothing blocks: {@link #take} queues the call and returns its future; the update runs on
 * whatever thread completes the previous one.
 */
public final class GroupCommit {

  /** The backend update: adds {@code total} to the counter of {@code key}. */
  @FunctionalInterface
  public interface Update {

    /**
     * Completes with the counter's new value (the last id of the {@code total} taken), or
     * exceptionally with a {@link ComponentException} (RESOURCE_EXHAUSTED when they do not fit in
     * int64). Must complete, in time, also when the backend does not answer.
     */
    CompletableFuture<Long> advance(String key, long total);
  }

  /** One call: {@code size} ids, its future completed with the last of them. */
  private record Call(int size, CompletableFuture<Long> last) {}

  /** The calls of one key waiting for the update in flight to finish. */
  private static final class Turns {
    final ArrayDeque<Call> waiting = new ArrayDeque<>();
    boolean updating;
    /** Removed from {@link #turns}: a caller holding it must fetch the key's new one. */
    boolean retired;
  }

  /** The keys with calls waiting or an update in flight; a key leaves when its queue runs empty. */
  private final ConcurrentHashMap<String, Turns> turns = new ConcurrentHashMap<>();
  private final Update update;

  public GroupCommit(Update update) {
    this.update = update;
  }

  /** Queues a call for {@code size} ids of {@code key}; completes with the last of them. */
  public CompletableFuture<Long> take(String key, int size) {
    Call call = new Call(SequencerKeys.requireSize(size), new CompletableFuture<>());
    while (true) {
      Turns t = turns.computeIfAbsent(key, k -> new Turns());
      boolean start;
      synchronized (t) {
        if (t.retired) {
          continue;
        }
        t.waiting.add(call);
        start = !t.updating;
        t.updating = true;
      }
      if (start) {
        serveWaiting(key, t);
      }
      return call.last();
    }
  }

  /** Serves every call waiting on {@code key} with one update, then the calls that came meanwhile. */
  private void serveWaiting(String key, Turns t) {
    List<Call> batch;
    synchronized (t) {
      if (t.waiting.isEmpty()) {
        t.updating = false;
        t.retired = true;
        turns.remove(key, t);
        return;
      }
      batch = new ArrayList<>(t.waiting);
      t.waiting.clear();
    }
    serve(key, t, batch);
  }

  private void serve(String key, Turns t, List<Call> batch) {
    long total = 0;
    for (Call call : batch) {
      total += call.size();
    }
    long size = total;
    CompletableFuture<Long> last;
    try {
      last = update.advance(key, size);
    } catch (RuntimeException e) {
      last = CompletableFuture.failedFuture(e);
    }
    last.whenComplete((lastId, failure) -> {
      if (failure == null) {
        long id = lastId - size;
        for (Call call : batch) {
          id += call.size();
          call.last().complete(id);
        }
        serveWaiting(key, t);
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (batch.size() > 1 && cause instanceof ComponentException e && e.kind() == ComponentException.Kind.RESOURCE_EXHAUSTED) {
        // together they pass int64, alone the first may not: serve them one by one in order
        synchronized (t) {
          for (int i = batch.size() - 1; i > 0; i--) {
            t.waiting.addFirst(batch.get(i));
          }
        }
        serve(key, t, List.of(batch.getFirst()));
        return;
      }
      for (Call call : batch) {
        call.last().completeExceptionally(cause);
      }
      serveWaiting(key, t);
    });
  }
}
