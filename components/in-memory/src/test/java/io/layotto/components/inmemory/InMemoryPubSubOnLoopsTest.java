package io.layotto.components.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.Metadata;
import io.layotto.spi.pubsub.PublishRequest;
import io.layotto.spi.pubsub.SubscribeRequest;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory pub/sub on event loops lent by the runtime: a publish made on a loop is delivered on it. */
class InMemoryPubSubOnLoopsTest {

  private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
  private final InMemoryPubSub pubSub = new InMemoryPubSub();

  @AfterEach
  void tearDown() throws Exception {
    pubSub.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  @Test
  void aPublishOnALentLoopIsHandedToTheSubscriberOnThatLoopAndOtherPublishesOnAnotherThread() throws Exception {
    pubSub.shareEventLoops(loops);
    pubSub.init(new Metadata("mem", Map.of()));
    LinkedBlockingQueue<String> deliveredOn = new LinkedBlockingQueue<>();
    pubSub.subscribe(new SubscribeRequest("t", "g", 10, Map.of()), message -> {
      deliveredOn.add(new String(message.data(), StandardCharsets.UTF_8) + "@" + Thread.currentThread().getName());
      return CompletableFuture.completedFuture(null);
    });
    EventExecutor loop = loops.next();
    String loopThread = loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);

    loop.submit(() -> pubSub.publishAsync(PublishRequest.of("t", "on-loop".getBytes(StandardCharsets.UTF_8))))
        .get(5, TimeUnit.SECONDS);
    assertThat(deliveredOn.poll(5, TimeUnit.SECONDS)).isEqualTo("on-loop@" + loopThread);

    pubSub.publish(PublishRequest.of("t", "off-loop".getBytes(StandardCharsets.UTF_8)));
    assertThat(deliveredOn.poll(5, TimeUnit.SECONDS)).startsWith("off-loop@in-memory-pubsub-mem-");
  }
}
