package io.layotto.components.snowflake;

import io.layotto.spi.ComponentException;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Makes ids {@code time << (workerBits + seqBits) | worker << seqBits | seq}, time in milliseconds
 * since the configured start. Strictly increasing for one generator. When the clock goes backwards
 * by up to {@code maxBackwardMillis} it waits until the clock passes the last id's time again; a
 * larger jump fails with UNAVAILABLE rather than risk a duplicate. Thread-safe.
 */
final class SnowflakeGenerator {

  private final SnowflakeLayout layout;
  private final long epochMillis;
  private final long maxBackwardMillis;
  private final LongSupplier clock;
  private int workerId;
  /** Time part of the last id, in ms since the epoch of the layout; -1 before the first. */
  private long lastTime = -1;
  private long sequence;

  /** @param clock wall clock in epoch milliseconds ({@code System::currentTimeMillis}) */
  SnowflakeGenerator(SnowflakeLayout layout, long epochMillis, long maxBackwardMillis, LongSupplier clock) {
    this.layout = layout;
    this.epochMillis = epochMillis;
    this.maxBackwardMillis = maxBackwardMillis;
    this.clock = clock;
  }

  synchronized void useWorker(int workerId) {
    layout.checkWorker(workerId);
    this.workerId = workerId;
  }

  synchronized int workerId() {
    return workerId;
  }

  /** Ids made later have a time part above {@code epochMillis}: e.g. the last id time of a previous holder. */
  synchronized void advancePast(long absoluteMillis) {
    long time = absoluteMillis - epochMillis;
    if (time >= lastTime) {
      lastTime = time;
      sequence = layout.maxSequence(); // the next id must move on to a later millisecond
    }
  }

  /** The time of the last id, in epoch milliseconds (the epoch itself before any id). */
  synchronized long lastIdMillis() {
    return epochMillis + Math.max(lastTime, 0);
  }

  /** The smallest id this generator could make now, for {@code biggerThan} checks. */
  synchronized long smallestIdNow() {
    return layout.compose(Math.max(now(), Math.max(lastTime, 0)), 0, 0);
  }

  synchronized long next() {
    long time = now();
    if (time < lastTime) {
      time = waitForClock(time);
    }
    if (time == lastTime) {
      if (sequence < layout.maxSequence()) {
        sequence++;
      } else {
        // this millisecond's ids are used up: wait for the next one
        while ((time = now()) <= lastTime) {
          Thread.onSpinWait();
        }
        sequence = 0;
      }
    } else {
      sequence = 0;
    }
    if (time > layout.maxTime()) {
      throw new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED, "snowflake ids are used up (int64"
          + " overflow): the " + layout.timeBits() + " time bits after startTime " + Instant.ofEpochMilli(epochMillis)
          + " ran out at " + Instant.ofEpochMilli(epochMillis + layout.maxTime()));
    }
    lastTime = time;
    return layout.compose(time, workerId, sequence);
  }

  private long waitForClock(long time) {
    long behind = lastTime - time;
    if (behind > maxBackwardMillis) {
      throw ComponentException.unavailable("the clock moved backwards by " + behind + " ms, more than maxClockBackward "
          + maxBackwardMillis + " ms; no id is made until it has caught up, to avoid duplicates", null);
    }
    long deadline = System.nanoTime() + (maxBackwardMillis + 1_000) * 1_000_000;
    while (time < lastTime) {
      if (System.nanoTime() > deadline) {
        throw ComponentException.unavailable("the clock stayed behind the last id's time for more than "
            + maxBackwardMillis + " ms", null);
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ComponentException.unavailable("interrupted while waiting for the clock to catch up", e);
      }
      time = now();
    }
    return time;
  }

  private long now() {
    return clock.getAsLong() - epochMillis;
  }
}
