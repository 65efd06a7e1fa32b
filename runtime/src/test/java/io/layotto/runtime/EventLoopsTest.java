package io.layotto.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

  @Test
  void defaultsToTheProcessorCountCappedAtFour() {
    assertThat(EventLoops.configuredSize(null, 2)).isEqualTo(2);
    assertThat(EventLoops.configuredSize(" ", 1)).isEqualTo(1);
    assertThat(EventLoops.configuredSize(null, 64)).isEqualTo(EventLoops.DEFAULT_MAX);
  }

  @Test
  void anExplicitSizeWinsAndABadOneNamesThePropertyAndTheAllowedValues() {
    assertThat(EventLoops.configuredSize(" 8 ", 2)).isEqualTo(8);
    assertThatThrownBy(() -> EventLoops.configuredSize("0", 2)).hasMessageContaining("layotto.eventLoops")
        .hasMessageContaining("'0'").hasMessageContaining("from 1 to 256");
    assertThatThrownBy(() -> EventLoops.configuredSize("two", 2)).hasMessageContaining("'two'");
    assertThat(EventLoops.configuredSize("256", 2)).isEqualTo(EventLoops.MAX);
    assertThatThrownBy(() -> EventLoops.configuredSize("100000", 2)).hasMessageContaining("layotto.eventLoops")
        .hasMessageContaining("'100000'").hasMessageContaining("from 1 to 256");
    assertThatThrownBy(() -> EventLoops.create(EventLoops.MAX + 1)).hasMessageContaining("from 1 to 256");
  }

  @Test
  void createsDaemonLoopsOfTheRequestedSizeAndStopsThem() throws Exception {
    EventLoops loops = EventLoops.create(3);
    assertThat(loops.size()).isEqualTo(3);
    assertThat(loops.describe()).matches("3 (epoll|nio)");
    Thread thread = loops.group().submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).startsWith("layotto-io-");
    loops.close();
    for (EventExecutor loop : loops.group()) {
      assertThat(loop.isTerminated()).isTrue();
    }
  }
}
