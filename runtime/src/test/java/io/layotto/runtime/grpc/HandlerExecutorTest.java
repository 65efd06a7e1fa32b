package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandlerExecutorTest {

  @Test
  void reusesPlatformThreadsForSequentialTasks() throws Exception {
    HandlerExecutor executor = HandlerExecutor.create(4);
    try {
      List<Thread> threads = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 50; i++) {
        CountDownLatch done = new CountDownLatch(1);
        executor.execute(() -> {
          threads.add(Thread.currentThread());
          done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        // the worker counts down just before it goes back to waiting for work; on a busy machine
        // the next task can come before it is back and then spills over, which is correct
        Thread.sleep(10);
      }
      List<Thread> platform = threads.stream().filter(t -> !t.isVirtual()).toList();
      assertThat(platform).as("tasks on pooled platform threads").hasSizeGreaterThanOrEqualTo(45);
      assertThat(Set.copyOf(platform)).as("distinct pooled threads").hasSizeLessThanOrEqualTo(4);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void burstBeyondThePoolRunsOnVirtualThreadsInsteadOfQueueingOrFailing() throws Exception {
    HandlerExecutor executor = HandlerExecutor.create(2);
    try {
      int tasks = 200;
      CountDownLatch allStarted = new CountDownLatch(tasks);
      CountDownLatch release = new CountDownLatch(1);
      Set<Thread> threads = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < tasks; i++) {
        executor.execute(() -> {
          threads.add(Thread.currentThread());
          allStarted.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      // every task blocks at once: none may wait for another to finish
      assertThat(allStarted.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(executor.pooledThreads()).isEqualTo(2);
      assertThat(threads.stream().filter(Thread::isVirtual).count()).isEqualTo(tasks - 2);
      release.countDown();
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(executor.isTerminated()).isTrue();
  }

  @Test
  void rejectsANonPositivePoolSize() {
    assertThatThrownBy(() -> HandlerExecutor.create(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("poolSize");
  }
}
