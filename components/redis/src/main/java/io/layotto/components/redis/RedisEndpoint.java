package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis server as a component uses it: a Lettuce client with its resources, one shared
 * multiplexed connection for all threads, and the outage log. Shared by every Redis component so
 * connecting, failure messages, health checks and shutdown behave the same everywhere.
 *
 * <p>Given the runtime's event loops, it opens one multiplexed connection per loop instead, each
 * living on its loop, and {@link #redis()} picks the one of the calling loop: a request the runtime
 * reads on a loop is then written to Redis, answered and completed on that same thread.
 *
 * <p>While Redis is unreachable, commands fail at once with {@link Kind#UNAVAILABLE} and Lettuce
 * reconnects in the background, so components recover by themselves when Redis comes back.
 */
final class RedisEndpoint implements AutoCloseable {

  /** Keys are text; values are raw bytes, stored and returned unchanged. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  /** Upper bound of a health check's PING, so a slow Redis cannot stall the readiness probe. */
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(RedisEndpoint.class);

  private final String description;
  private final RedisSettings settings;
  private final ClientResources resources;
  private final RedisClient client;
  /** One per shared event loop; empty when the endpoint runs on Lettuce's own threads. */
  private final List<LoopConnection> loopConnections;
  /** The connection of callers on no shared loop (the first loop's when there are loops). */
  private final StatefulRedisConnection<String, byte[]> connection;
  private final ConnectionLog connectionLog;

  private RedisEndpoint(String description, RedisSettings settings, ClientResources resources, RedisClient client,
      List<LoopConnection> loopConnections, StatefulRedisConnection<String, byte[]> connection,
      ConnectionLog connectionLog) {
    this.description = description;
    this.settings = settings;
    this.resources = resources;
    this.client = client;
    this.loopConnections = List.copyOf(loopConnections);
    this.connection = connection;
    this.connectionLog = connectionLog;
  }

  /**
   * Commands sent on a loop while it works through one batch of I/O (e.g. every request of one
   * read from the app) leave in one write when the batch is done, instead of one send each.
   */
  private static final NettyCustomizer CONSOLIDATED_FLUSHES = new NettyCustomizer() {
    @Override
    public void afterChannelInitialized(Channel channel) {
      channel.pipeline().addFirst(new FlushConsolidationHandler(
          FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
  };

  /** A client and its connection bound to one of the runtime's event loops. */
  private record LoopConnection(EventLoop loop, ClientResources resources, RedisClient client,
      StatefulRedisConnection<String, byte[]> connection, RedisAsyncCommands<String, byte[]> commands) {

    void close() {
      try {
        connection.close();
      } catch (RuntimeException e) {
        log.debug("closing a redis connection failed", e);
      }
      shutdown(client, resources);
    }
  }

  /**
   * Hands Lettuce one fixed event loop (a loop is a group of one) and never shuts it down: it
   * belongs to the runtime.
   */
  private record FixedLoop(EventLoop loop) implements EventLoopGroupProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      // Lettuce asks for its transport's group class but only uses the result as an EventLoopGroup.
      return (T) loop;
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
  }

  /**
   * Connects and PINGs. Rejected credentials and a database index the server lacks are
   * INVALID_ARGUMENT naming the metadata key; an unreachable server is UNAVAILABLE.
   *
   * @param kind what connects, for messages, e.g. {@code redis state store}
   */
  static RedisEndpoint open(String kind, String component, RedisSettings settings) {
    return open(kind, component, settings, null);
  }

  /**
   * Like {@link #open(String, String, RedisSettings)}, with one connection per loop of
   * {@code sharedLoops} when given and of the transport Lettuce uses (epoll or NIO); otherwise on
   * Lettuce's own threads.
   */
  static RedisEndpoint open(String kind, String component, RedisSettings settings,
      @Nullable EventLoopGroup sharedLoops) {
    String description = kind + " '" + component + "'";
    ClientResources resources = DefaultClientResources.builder()
        // Reconnect quickly at first, never waiting longer than maxRetryBackoff between attempts.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(1), settings.maxRetryBackoff(), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = newClient(resources, settings);
    ConnectionLog connectionLog = ConnectionLog.follow(component, settings.address(), resources);
    List<LoopConnection> loopConnections = new ArrayList<>();
    StatefulRedisConnection<String, byte[]> connection;
    try {
      if (sharedLoops != null && Transports.eventLoopGroupClass().isInstance(sharedLoops)) {
        for (EventExecutor executor : sharedLoops) {
          EventLoop loop = (EventLoop) executor;
          // mutate() shares the event bus (so the outage log sees every connection), timer and executors
          ClientResources onLoop = resources.mutate()
              .eventLoopGroupProvider(new FixedLoop(loop))
              .nettyCustomizer(CONSOLIDATED_FLUSHES)
              .build();
          RedisClient loopClient = newClient(onLoop, settings);
          try {
            StatefulRedisConnection<String, byte[]> c = connect(loopClient, settings, description);
            loopConnections.add(new LoopConnection(loop, onLoop, loopClient, c, c.async()));
          } catch (ComponentException e) {
            shutdown(loopClient, onLoop);
            throw e;
          }
        }
        connection = loopConnections.getFirst().connection();
      } else {
        if (sharedLoops != null) {
          log.debug("{}: the runtime's event loops ({}) are not of Lettuce's transport {}; using Lettuce's own",
              description, sharedLoops.getClass().getSimpleName(), Transports.eventLoopGroupClass().getSimpleName());
        }
        connection = connect(client, settings, description);
      }
    } catch (ComponentException e) {
      connectionLog.stop();
      loopConnections.forEach(LoopConnection::close);
      shutdown(client, resources);
      throw e;
    }
    RedisEndpoint endpoint = new RedisEndpoint(description, settings, resources, client, loopConnections, connection,
        connectionLog);
    try {
      endpoint.await(endpoint.redis().ping().toCompletableFuture(), "PING");
    } catch (ComponentException e) {
      endpoint.close();
      throw new ComponentException(e.kind(), description + " cannot use redisHost " + settings.address() + ": "
          + e.getMessage(), e);
    }
    connectionLog.connected();
    log.info("{} connected: {}", description, settings);
    return endpoint;
  }

  /**
   * Another connection to the same server, for commands that must not hold up the shared one
   * (blocking reads). It reconnects by itself like the shared one.
   */
  StatefulRedisConnection<String, byte[]> openConnection() {
    return connect(client, settings, description);
  }

  /**
   * A pub/sub connection to the same server (channel names as text, messages as bytes). Lettuce
   * reconnects it by itself and subscribes its channels and patterns again.
   */
  StatefulRedisPubSubConnection<String, byte[]> openPubSubConnection() {
    try {
      return client.connectPubSub(CODEC);
    } catch (RuntimeException e) {
      throw ComponentException.unavailable(description + " cannot open a pub/sub connection to redisHost "
          + settings.address() + ": " + RedisFailures.rootMessage(e), e);
    }
  }

  private static RedisClient newClient(ClientResources resources, RedisSettings settings) {
    RedisClient client = RedisClient.create(resources, redisUri(settings));
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // Fail fast while disconnected instead of queueing requests until they time out.
        .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(settings.dialTimeout()).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        .build());
    return client;
  }

  private static StatefulRedisConnection<String, byte[]> connect(RedisClient client, RedisSettings settings,
      String description) {
    try {
      return client.connect(CODEC);
    } catch (RuntimeException e) {
      String reason = RedisFailures.rootMessage(e);
      if (RedisFailures.isCredentialsRejected(e)) {
        throw new ComponentException(Kind.INVALID_ARGUMENT, description + ": redis at redisHost "
            + settings.address() + " refused the credentials of " + RedisSettings.REDIS_PASSWORD
            + (settings.username() != null ? "/" + RedisSettings.REDIS_USERNAME : "") + ": " + reason, e);
      }
      if (reason.contains("DB index is out of range")) {
        throw new ComponentException(Kind.INVALID_ARGUMENT, description + ": metadata '" + RedisSettings.REDIS_DB
            + "' is '" + settings.database() + "' but redis at " + settings.address() + " has fewer databases: "
            + reason, e);
      }
      throw ComponentException.unavailable(description + " cannot connect to redisHost " + settings.address()
          + ": " + reason, e);
    }
  }

  private static RedisURI redisUri(RedisSettings settings) {
    RedisURI.Builder uri = RedisURI.builder()
        .withHost(settings.host())
        .withPort(settings.port())
        .withDatabase(settings.database())
        .withTimeout(settings.commandTimeout());
    if (settings.tls()) {
      // Dapr and Layotto connect with TLS but skip certificate verification; do the same.
      uri.withSsl(true).withVerifyPeer(SslVerifyMode.NONE);
    }
    String password = settings.password();
    if (password != null) {
      String username = settings.username();
      if (username != null) {
        uri.withAuthentication(username, password);
      } else {
        uri.withPassword(password.toCharArray());
      }
    }
    return uri.build();
  }

  RedisSettings settings() {
    return settings;
  }

  String address() {
    return settings.address();
  }

  /** E.g. {@code redis pub/sub 'pubsub_demo'}. */
  String description() {
    return description;
  }

  /**
   * Commands on the shared connection, or on the calling event loop's own connection when the
   * endpoint runs on the runtime's loops; they do not wait.
   */
  RedisAsyncCommands<String, byte[]> redis() {
    for (LoopConnection c : loopConnections) {
      if (c.loop().inEventLoop()) {
        return c.commands();
      }
    }
    return connection.async();
  }

  /** A PING bounded by the command timeout and two seconds; never throws. */
  Health health() {
    boolean allOpen = connection.isOpen();
    for (LoopConnection c : loopConnections) {
      allOpen &= c.connection().isOpen();
    }
    if (!allOpen) {
      return Health.down("not connected to redis at " + address() + "; reconnecting");
    }
    Duration timeout = settings.commandTimeout().compareTo(HEALTH_TIMEOUT) < 0 ? settings.commandTimeout() : HEALTH_TIMEOUT;
    try {
      redis().ping().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Health.up();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down("health check of redis at " + address() + " was interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Health.down(RedisFailures.translate(e, address(), timeout, "PING").getMessage());
    }
  }

  /**
   * Waits for a reply. Lettuce times commands out itself; the extra second only guards against a
   * reply that never comes for another reason.
   */
  <T> T await(CompletableFuture<T> reply, String doing) {
    for (LoopConnection c : loopConnections) {
      if (c.loop().inEventLoop()) {
        // the reply would have to be read by this very thread: fail now instead of after the timeout
        reply.cancel(false);
        throw ComponentException.internal(description + " was asked to wait for the " + doing
            + " on an event loop thread; only non-blocking calls may run there", null);
      }
    }
    Duration timeout = settings.commandTimeout();
    try {
      return reply.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(false);
      throw ComponentException.unavailable("the " + doing + " on redis at " + address() + " was interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      reply.cancel(false);
      throw translate(e, doing);
    }
  }

  /**
   * The reply with its failure translated to a {@link ComponentException}, for callers that do not
   * wait; Lettuce's command timeout bounds it.
   */
  <T> CompletableFuture<T> translated(CompletableFuture<T> reply, String doing) {
    return reply.handle((value, failure) -> {
      if (failure != null) {
        throw translate(failure, doing);
      }
      return value;
    });
  }

  ComponentException translate(Throwable failure, String doing) {
    return RedisFailures.translate(failure, address(), settings.commandTimeout(), doing);
  }

  /** Closes the shared connection and the client (with every other connection it opened). Never throws. */
  @Override
  public void close() {
    connectionLog.stop();
    if (loopConnections.isEmpty()) {
      try {
        connection.close();
      } catch (RuntimeException e) {
        log.debug("closing the redis connection of {} failed", description, e);
      }
    }
    loopConnections.forEach(LoopConnection::close);
    shutdown(client, resources);
  }

  private static void shutdown(RedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      log.debug("shutting down the redis client failed", e);
    }
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.debug("shutting down the redis client resources failed", e);
    }
  }

  @Override
  public String toString() {
    return "RedisEndpoint[" + description + " -> " + address() + "]";
  }
}
