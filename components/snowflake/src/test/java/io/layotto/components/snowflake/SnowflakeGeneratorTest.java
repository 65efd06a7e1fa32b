package io.layotto.components.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The id layout and the clock rules, on a clock the test moves by hand. */
class SnowflakeGeneratorTest {

  private static final long EPOCH = 1_640_995_200_000L; // 2022-01-01T00:00:00Z
  private final AtomicLong clock = new AtomicLong(EPOCH + 1_000);

  private SnowflakeGenerator generator(SnowflakeLayout layout, long maxBackward, int worker) {
    SnowflakeGenerator g = new SnowflakeGenerator(layout, EPOCH, maxBackward, clock::get);
    g.useWorker(worker);
    return g;
  }

  @Test
  void idsCarryTimeWorkerAndSequence() {
    SnowflakeGenerator g = generator(new SnowflakeLayout(41, 10, 12), 100, 5);
    long first = g.next();
    long second = g.next();

    assertThat(first).isEqualTo((1_000L << 22) | (5L << 12));
    assertThat(second).isEqualTo(first + 1);
    clock.addAndGet(1);
    assertThat(g.next()).isEqualTo((1_001L << 22) | (5L << 12));
  }

  @Test
  void aFullMillisecondWaitsForTheNext() throws Exception {
    SnowflakeGenerator g = generator(new SnowflakeLayout(51, 10, 2), 100, 1); // 4 ids per millisecond
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(g.next());
    }
    CompletableFuture<Long> fifth = CompletableFuture.supplyAsync(g::next);
    Thread.sleep(100);
    assertThat(fifth).as("waits while the clock stands still").isNotDone();
    clock.addAndGet(1);
    ids.add(fifth.get(10, TimeUnit.SECONDS));
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids.getLast() >>> 12).isEqualTo(1_001L);
  }

  @Test
  void aSmallBackwardJumpIsWaitedOut() throws Exception {
    SnowflakeGenerator g = generator(new SnowflakeLayout(41, 10, 12), 500, 1);
    long before = g.next();
    clock.addAndGet(-200);
    CompletableFuture<Long> next = CompletableFuture.supplyAsync(g::next);
    Thread.sleep(100);
    assertThat(next).as("waits for the clock to catch up").isNotDone();
    clock.addAndGet(201);
    assertThat(next.get(10, TimeUnit.SECONDS)).isGreaterThan(before);
  }

  @Test
  void aLargeBackwardJumpFailsClearlyUntilTheClockCatchesUp() {
    SnowflakeGenerator g = generator(new SnowflakeLayout(41, 10, 12), 500, 1);
    long before = g.next();
    clock.addAndGet(-60_000);

    ComponentException e = catchThrowableOfType(ComponentException.class, g::next);
    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("backwards by 60000 ms").contains("maxClockBackward");
    clock.addAndGet(60_001);
    assertThat(g.next()).isGreaterThan(before);
  }

  @Test
  void exhaustedTimeBitsFailAsResourceExhausted() {
    SnowflakeGenerator g = generator(new SnowflakeLayout(11, 40, 12), 500, 1); // 2047 ms of ids
    assertThat(g.next()).isPositive();
    clock.set(EPOCH + 2_048);

    ComponentException e = catchThrowableOfType(ComponentException.class, g::next);
    assertThat(e.kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
    assertThat(e.getMessage()).contains("11 time bits").contains("int64");
  }

  @Test
  void advancePastMovesIdsAfterAnEarlierHoldersLastTime() {
    SnowflakeGenerator g = generator(new SnowflakeLayout(41, 10, 12), 5_000, 1);
    g.advancePast(EPOCH + 3_000); // the clock reads EPOCH + 1000: 2 s behind, within maxClockBackward
    CompletableFuture<Long> next = CompletableFuture.supplyAsync(g::next);
    clock.set(EPOCH + 3_001);
    assertThat(next.join() >>> 22).isEqualTo(3_001L);
  }

  @Test
  void theHighestIdsStayPositive() {
    SnowflakeLayout layout = new SnowflakeLayout(41, 10, 12);
    assertThat(layout.compose(layout.maxTime(), layout.maxWorker(), layout.maxSequence())).isEqualTo(Long.MAX_VALUE);
  }
}
