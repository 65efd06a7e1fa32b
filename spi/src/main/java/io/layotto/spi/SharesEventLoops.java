package io.layotto.spi;

import io.netty.channel.EventLoopGroup;

/**
 * A component that can do its network I/O on the runtime's own event loops instead of threads of
 * its own. The runtime serves non-blocking API calls on the event loop that read the request; a
 * component whose connection lives on that same loop answers without a single thread hand-off
 * (no wake-up of another thread to write the command, none to complete the reply), which is most
 * of a sidecar's added latency and CPU for a cache-speed backend such as Redis.
 *
 * <p>The runtime calls {@link #shareEventLoops} once, before {@link Component#init}. A component
 * that is never given loops (in unit tests, or by another runtime) keeps its own threads. The
 * loops belong to the runtime: a component must not shut them down, and must never block on one
 * of them (a reply that has to be read by the blocked thread would never arrive).
 */
public interface SharesEventLoops {

  /**
   * The runtime's event loops. Their transport (epoll or NIO) decides which channel type works
   * on them; a component that cannot use that transport ignores them.
   */
  void shareEventLoops(EventLoopGroup loops);
}
