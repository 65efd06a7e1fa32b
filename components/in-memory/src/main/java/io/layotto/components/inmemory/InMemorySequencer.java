package io.layotto.components.inmemory;

import io.layotto.spi.Metadata;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.NonBlockingSequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Layotto's sequencer type {@code in-memory}: one counter per key in this instance, starting at 1 (or
 * above {@code biggerThan}). Counters die with the instance, so a restarted sidecar starts over.
 */
public final class InMemorySequencer implements NonBlockingSequencer {

  static final Set<SequencerFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.of(SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER));

  /** Per key, the last id handed out. */
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public void init(Metadata metadata, Map<String, Long> biggerThan) {
    biggerThan.forEach((key, floor) -> counter(key).accumulateAndGet(floor, Math::max));
  }

  @Override
  public long nextId(String key) {
    return reserve(key, 1).first();
  }

  /** A counter increment, done in place. */
  @Override
  public CompletableFuture<Long> nextIdAsync(String key) {
    return CompletableFuture.completedFuture(nextId(key));
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    AtomicLong counter = counter(key);
    while (true) {
      long last = counter.get();
      if (last > Long.MAX_VALUE - size) {
        throw SequencerKeys.exhausted(key, "the last id is " + last + ", " + size + " more do not fit");
      }
      if (counter.compareAndSet(last, last + size)) {
        return new IdRange(last + 1, last + size);
      }
    }
  }

  private AtomicLong counter(String key) {
    return counters.computeIfAbsent(key, k -> new AtomicLong());
  }

  @Override
  public void close() {
    counters.clear();
  }
}
