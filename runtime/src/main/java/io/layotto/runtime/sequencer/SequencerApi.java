package io.layotto.runtime.sequencer;

import io.grpc.StatusRuntimeException;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.runtime.grpc.ComponentCalls;
import io.layotto.runtime.grpc.state.KeyPrefix;
import io.layotto.spi.ComponentException;
import io.layotto.spi.sequencer.NonBlockingSequencer;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * {@code GetNextId} over the configured sequencers: checks the request (statuses name the field and
 * value), rewrites the key as Layotto stores it, and serves STRONG from the component and WEAK from
 * a {@link SegmentBuffer} per store and key (or from the component when it has no segments or
 * {@code segmentSize} is 0).
 */
public final class SequencerApi {

  /** Longest key accepted; longer ones are almost certainly a mistake (e.g. a payload sent as key). */
  public static final int MAX_KEY_LENGTH = 1024;

  /** Layotto's {@code SequencerOptions.AutoIncrement}. */
  public enum Increment { WEAK, STRONG }

  private final LoadedComponents components;
  private final Executor blocking;
  private final Map<String, SegmentBuffer> buffers = new ConcurrentHashMap<>();

  /** For callers that may block themselves: {@link #nextIdLater} calls the components in place. */
  public SequencerApi(LoadedComponents components) {
    this(components, Runnable::run);
  }

  /** @param blocking where {@link #nextIdLater} calls the components, which may block */
  public SequencerApi(LoadedComponents components, Executor blocking) {
    this.components = components;
    this.blocking = blocking;
  }

  /**
   * {@link #nextId} without blocking the caller (the gRPC event loop): a WEAK id that the segment
   * in memory holds is answered in place, anything needing the backend on the blocking executor.
   * Invalid requests throw at once; the future fails with statuses only.
   */
  public CompletableFuture<Long> nextIdLater(String storeName, String key, int incrementNumber) {
    Call call = check(storeName, key, incrementNumber);
    SegmentBuffer buffer = call.buffer();
    if (buffer != null) {
      long id = buffer.nextIdNow();
      if (id != SegmentBuffer.NOT_NOW) {
        return CompletableFuture.completedFuture(id);
      }
      return CompletableFuture.supplyAsync(call::next, blocking);
    }
    return ComponentCalls.later(call.sequencer(), NonBlockingSequencer.class, blocking,
        direct -> direct.nextIdAsync(call.stored()), sequencer -> sequencer.nextId(call.stored()), call::context);
  }

  /**
   * The next id of {@code key} in store {@code storeName}.
   *
   * @param incrementNumber the request's {@code options.increment} enum number (0 WEAK, 1 STRONG)
   */
  public long nextId(String storeName, String key, int incrementNumber) {
    return check(storeName, key, incrementNumber).next();
  }

  /** One checked request: where its ids come from. */
  private record Call(String storeName, String key, String stored, Sequencer sequencer,
      @Nullable SegmentBuffer buffer) {

    long next() {
      try {
        return buffer != null ? buffer.nextId() : sequencer.nextId(stored);
      } catch (RuntimeException e) {
        throw failure(e);
      }
    }

    StatusRuntimeException failure(Throwable e) {
      return ComponentCalls.failure(e, this::context);
    }

    String context() {
      return "GetNextId of key '" + shown(key) + "' on sequencer '" + storeName + "'";
    }
  }

  private Call check(String storeName, String key, int incrementNumber) {
    if (components.sequencerNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("no sequencer is configured (grpc_config.sequencer is empty)");
    }
    if (key.isEmpty()) {
      throw ApiErrors.invalidArgument("key is empty; GetNextId needs the key (namespace) of the ids");
    }
    Increment increment = switch (incrementNumber) {
      case 0 -> Increment.WEAK;
      case 1 -> Increment.STRONG;
      default -> throw ApiErrors.invalidArgument("options.increment is " + incrementNumber
          + ", expected WEAK (0) or STRONG (1)");
    };
    if (key.contains(KeyPrefix.SEPARATOR)) {
      throw ApiErrors.invalidArgument("key '" + shown(key) + "' must not contain '" + KeyPrefix.SEPARATOR + "'");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw ApiErrors.invalidArgument("key is " + key.length() + " characters long, at most " + MAX_KEY_LENGTH
          + " are allowed");
    }
    if (storeName.isEmpty()) {
      throw ApiErrors.invalidArgument("store_name is empty; configured sequencers: " + components.sequencerNames());
    }
    Sequencer sequencer = components.sequencer(storeName).orElseThrow(() -> ApiErrors.invalidArgument(
        "sequencer store '" + storeName + "' (store_name) is not found; configured sequencers: "
            + components.sequencerNames()));
    SequencerOptions options = components.sequencerOptions(storeName);
    String stored = options.storedKey(key);
    SegmentBuffer buffer = increment == Increment.WEAK && options.segmentSize() > 0
        && sequencer.features().contains(SequencerFeature.SEGMENTS)
        ? buffers.computeIfAbsent(storeName + '\u0000' + stored,
            k -> new SegmentBuffer(sequencer, stored, options.segmentSize()))
        : null;
    return new Call(storeName, key, stored, sequencer, buffer);
  }

  private static String shown(String key) {
    return key.length() <= 200 ? key : key.substring(0, 200) + "...";
  }
}
