package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Redis components on event loops lent by the runtime ({@code SharesEventLoops}): a call made on a
 * loop is written, answered and completed on that loop; nobody blocks a loop; closing leaves the
 * loops to their owner; lost connections come back by themselves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSharedEventLoopsTest {

  private final DefaultEventLoopGroupProvider provider = new DefaultEventLoopGroupProvider(2);
  private EventLoopGroup loops;
  private final String prefix = "shared-loops-" + UUID.randomUUID() + "-";

  @BeforeAll
  void createLoops() {
    // the runtime's loops are of the transport Lettuce picks too (epoll on Linux)
    loops = provider.allocate(Transports.eventLoopGroupClass());
  }

  @AfterAll
  void stopLoops() throws Exception {
    provider.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.deleteKeysStartingWith(prefix);
    }
  }

  private List<EventExecutor> eachLoop() {
    List<EventExecutor> each = new ArrayList<>();
    loops.forEach(each::add);
    assertThat(each).hasSize(2);
    return each;
  }

  /** Runs {@code call} on {@code loop} and answers the thread its reply completed on. */
  private static Thread completionThreadOf(EventExecutor loop, Supplier<? extends CompletionStage<?>> call)
      throws Exception {
    CompletableFuture<Thread> completedOn = new CompletableFuture<>();
    loop.execute(() -> call.get().whenComplete((value, failure) -> {
      if (failure != null) {
        completedOn.completeExceptionally(failure);
      } else {
        completedOn.complete(Thread.currentThread());
      }
    }));
    return completedOn.get(10, TimeUnit.SECONDS);
  }

  private static Thread threadOf(EventExecutor loop) throws Exception {
    return loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
  }

  @Test
  void everyNonBlockingCallMadeOnALoopIsCompletedOnThatSameLoop() throws Exception {
    RedisStateStore state = new RedisStateStore();
    RedisLockStore lock = new RedisLockStore();
    RedisSequencer sequencer = new RedisSequencer();
    RedisPubSub pubsub = new RedisPubSub();
    state.shareEventLoops(loops);
    lock.shareEventLoops(loops);
    sequencer.shareEventLoops(loops);
    pubsub.shareEventLoops(loops);
    state.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    lock.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    sequencer.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()), Map.of());
    pubsub.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    try {
      for (EventExecutor loop : eachLoop()) {
        Thread loopThread = threadOf(loop);
        String key = prefix + loopThread.getName();
        byte[] value = key.getBytes(StandardCharsets.UTF_8);
        assertThat(completionThreadOf(loop, () -> state.bulkSetAsync(List.of(SetRequest.of(key, value)))))
            .isSameAs(loopThread);
        assertThat(completionThreadOf(loop, () -> state.getAsync(GetRequest.of(key)))).isSameAs(loopThread);
        assertThat(completionThreadOf(loop, () -> lock.tryLockAsync(key + "-lock", "owner", Duration.ofSeconds(5))))
            .isSameAs(loopThread);
        assertThat(completionThreadOf(loop, () -> lock.unlockAsync(key + "-lock", "owner"))).isSameAs(loopThread);
        assertThat(completionThreadOf(loop, () -> sequencer.nextIdAsync(key + "-seq"))).isSameAs(loopThread);
        assertThat(completionThreadOf(loop, () -> pubsub.publishAsync(PublishRequest.of(key + "-topic", value))))
            .isSameAs(loopThread);
        // and what was written on one loop's connection is what any caller reads
        assertThat(state.get(GetRequest.of(key)).orElseThrow().data()).isEqualTo(value);
      }
    } finally {
      state.close();
      lock.close();
      sequencer.close();
      pubsub.close();
    }
    for (EventExecutor loop : eachLoop()) {
      assertThat(loop.isShuttingDown()).as("closing the components leaves the lent loops running").isFalse();
      assertThat(threadOf(loop)).isNotNull();
    }
  }

  @Test
  void waitingForRedisOnALoopFailsAtOnceInsteadOfDeadlocking() throws Exception {
    RedisStateStore state = new RedisStateStore();
    state.shareEventLoops(loops);
    state.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()));
    try {
      EventExecutor loop = eachLoop().getFirst();
      long started = System.nanoTime();
      Throwable failure = loop.submit(() -> {
        try {
          state.get(GetRequest.of(prefix + "blocking"));
          return null;
        } catch (ComponentException e) {
          return e;
        }
      }).get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(failure).isInstanceOfSatisfying(ComponentException.class, e -> {
        assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
        assertThat(e.getMessage()).contains("event loop thread").contains("non-blocking");
      });
      // off the loops the same call works
      assertThat(state.get(GetRequest.of(prefix + "blocking"))).isEmpty();
    } finally {
      state.close();
    }
  }

  @Test
  void theConnectionOfEveryLoopComesBackAfterRedisRestarts() throws Exception {
    try (PrivateRedisServer server = new PrivateRedisServer()) {
      server.start();
      RedisStateStore state = new RedisStateStore();
      state.shareEventLoops(loops);
      state.init(RedisTestSupport.metadata(server.address(), Map.of()));
      try {
        server.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.checkHealth().status() == Health.Status.DOWN);
        server.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> state.checkHealth().status() == Health.Status.UP);
        for (EventExecutor loop : eachLoop()) {
          Thread loopThread = threadOf(loop);
          String key = "back-" + loopThread.getName();
          await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> completionThreadOf(loop,
              () -> state.bulkSetAsync(List.of(SetRequest.of(key, new byte[] {1})))) == loopThread);
          assertThat(completionThreadOf(loop, () -> state.getAsync(GetRequest.of(key)))).isSameAs(loopThread);
        }
      } finally {
        state.close();
      }
    }
  }
}
