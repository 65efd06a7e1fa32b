package io.layotto.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar's I/O threads: one Netty event loop group that the gRPC server and the components
 * that {@linkplain io.layotto.spi.SharesEventLoops share loops} use together, so a call read on a
 * loop can be answered from the backend on that same thread. Native epoll on Linux, NIO elsewhere.
 *
 * <p>The size is {@value #SIZE_PROPERTY} (a JVM system property) or, by default, the number of
 * available processors capped at {@value #DEFAULT_MAX}: one app connection is served by one loop,
 * and every loop costs each sharing component one backend connection.
 */
public final class EventLoops implements AutoCloseable {

  public static final String SIZE_PROPERTY = "layotto.eventLoops";
  static final int DEFAULT_MAX = 4;
  /**
   * Most loops a sidecar may ask for: far beyond any core count a sidecar runs on, while a typo
   * such as 100000 would otherwise start that many threads and open that many connections per
   * sharing component.
   */
  static final int MAX = 256;

  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverChannelType;
  private final Class<? extends SocketChannel> channelType;

  private EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannelType,
      Class<? extends SocketChannel> channelType) {
    this.group = group;
    this.serverChannelType = serverChannelType;
    this.channelType = channelType;
  }

  /** Loops sized by {@value #SIZE_PROPERTY} or the processor count. */
  public static EventLoops create() {
    return create(configuredSize(System.getProperty(SIZE_PROPERTY), Runtime.getRuntime().availableProcessors()));
  }

  public static EventLoops create(int size) {
    if (size < 1 || size > MAX) {
      throw new IllegalArgumentException("event loop count must be from 1 to " + MAX + ", got " + size);
    }
    var threads = new DefaultThreadFactory("layotto-io", true);
    if (Epoll.isAvailable()) {
      return new EventLoops(new EpollEventLoopGroup(size, threads), EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return new EventLoops(new NioEventLoopGroup(size, threads), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  static int configuredSize(@Nullable String value, int processors) {
    if (value == null || value.isBlank()) {
      return Math.min(processors, DEFAULT_MAX);
    }
    try {
      int size = Integer.parseInt(value.trim());
      if (size >= 1 && size <= MAX) {
        return size;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("system property " + SIZE_PROPERTY + " is '" + value
        + "'; allowed: a whole number of event loop threads from 1 to " + MAX);
  }

  public EventLoopGroup group() {
    return group;
  }

  /** The server channel class that matches the loops' transport. */
  public Class<? extends ServerChannel> serverChannelType() {
    return serverChannelType;
  }

  /** The client channel class that matches the loops' transport. */
  public Class<? extends SocketChannel> channelType() {
    return channelType;
  }

  public int size() {
    int n = 0;
    for (var ignored : group) {
      n++;
    }
    return n;
  }

  /** E.g. {@code 2 epoll}. */
  public String describe() {
    return size() + (group instanceof EpollEventLoopGroup ? " epoll" : " nio");
  }

  /** Stops the threads once everything that used them is closed; waits up to two seconds. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
