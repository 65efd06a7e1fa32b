package io.layotto.runtime.testing;

import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.NonBlockingStateStore;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateValue;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Type {@code test-loop-probe}: a non-blocking store that keeps the event loops the runtime lends
 * it (under its {@code probe} metadata value) and answers every get with where the get ran:
 * {@code "on a lent loop: <thread>"} or {@code "off the lent loops: <thread>"}.
 */
public final class LoopProbeStateStore implements NonBlockingStateStore, SharesEventLoops {

  public static final Map<String, EventLoopGroup> LENT = new ConcurrentHashMap<>();

  private volatile EventLoopGroup loops;

  @Override
  public void shareEventLoops(EventLoopGroup loops) {
    this.loops = loops;
  }

  @Override
  public void init(Metadata metadata) {
    if (loops != null) {
      LENT.put(metadata.getString("probe", metadata.componentName()), loops);
    }
  }

  @Override
  public Set<StateFeature> features() {
    return Set.of();
  }

  @Override
  public CompletableFuture<Optional<StateValue>> getAsync(GetRequest request) {
    return CompletableFuture.completedFuture(get(request));
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    boolean onLentLoop = false;
    if (loops != null) {
      for (EventExecutor loop : loops) {
        onLentLoop |= loop.inEventLoop();
      }
    }
    String where = (onLentLoop ? "on a lent loop: " : "off the lent loops: ") + Thread.currentThread().getName();
    return Optional.of(new StateValue(where.getBytes(StandardCharsets.UTF_8), "1"));
  }

  @Override
  public CompletableFuture<Void> bulkSetAsync(List<SetRequest> requests) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> deleteAsync(DeleteRequest request) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void set(SetRequest request) {
  }

  @Override
  public void delete(DeleteRequest request) {
  }

  @Override
  public void close() {
  }
}
