package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateRequests;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State store on one Redis server (type {@code redis}), data-compatible with Dapr's and Layotto's:
 * each key is a hash {@code {data, version}} and the etag is the version in decimal. Writes go
 * through {@link WriteScript}, so etag checks, first-write and transactions are atomic in Redis.
 *
 * <p>One multiplexed Lettuce connection serves all threads. While Redis is unreachable, commands
 * fail at once with {@link Kind#UNAVAILABLE} and Lettuce reconnects in the background, so the
 * store recovers by itself when Redis comes back.
 */
public final class RedisStateStore implements StateStore {

  static final Set<StateFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.of(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL));

  /** Keys are text; values are raw bytes, stored and returned unchanged. */
  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  static final String DATA_FIELD = "data";
  static final String VERSION_FIELD = "version";
  /** Etag of a value that has no version: a plain string, as {@code redis-cli set} leaves it. */
  static final String UNVERSIONED_ETAG = "0";
  private static final Pattern VERSION_ETAG = Pattern.compile("\\d{1,18}");
  /** Upper bound of a health check's PING, so a slow Redis cannot stall the readiness probe. */
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration FIRST_READ_RETRY = Duration.ofMillis(10);
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

  /** Everything that exists between init and close. */
  private record Session(String component, RedisSettings settings, ClientResources resources, RedisClient client,
      StatefulRedisConnection<String, byte[]> connection, ConnectionLog connectionLog) {

    RedisAsyncCommands<String, byte[]> redis() {
      return connection.async();
    }

    String address() {
      return settings.address();
    }
  }

  private volatile @Nullable Session session;

  @Override
  public Set<StateFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (session != null) {
      throw ComponentException.internal("redis state store '" + metadata.componentName() + "' is already initialised", null);
    }
    RedisSettings settings = RedisSettings.from(metadata);
    ClientResources resources = DefaultClientResources.builder()
        // Reconnect quickly at first, never waiting longer than maxRetryBackoff between attempts.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(1), settings.maxRetryBackoff(), 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = RedisClient.create(resources, redisUri(settings));
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // Fail fast while disconnected instead of queueing requests until they time out.
        .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(settings.dialTimeout()).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        .build());
    ConnectionLog connectionLog = ConnectionLog.follow(metadata.componentName(), settings.address(), resources);
    StatefulRedisConnection<String, byte[]> connection;
    try {
      connection = client.connect(CODEC);
    } catch (RuntimeException e) {
      connectionLog.stop();
      shutdown(client, resources);
      String reason = RedisFailures.rootMessage(e);
      if (RedisFailures.isCredentialsRejected(e)) {
        throw new ComponentException(Kind.INVALID_ARGUMENT, "redis state store '" + metadata.componentName()
            + "': redis at redisHost " + settings.address() + " refused the credentials of "
            + RedisSettings.REDIS_PASSWORD + (settings.username() != null ? "/" + RedisSettings.REDIS_USERNAME : "")
            + ": " + reason, e);
      }
      if (reason.contains("DB index is out of range")) {
        throw new ComponentException(Kind.INVALID_ARGUMENT, "redis state store '" + metadata.componentName()
            + "': metadata '" + RedisSettings.REDIS_DB + "' is '" + settings.database() + "' but redis at "
            + settings.address() + " has fewer databases: " + reason, e);
      }
      throw ComponentException.unavailable("redis state store '" + metadata.componentName()
          + "' cannot connect to redisHost " + settings.address() + ": " + reason, e);
    }
    Session s = new Session(metadata.componentName(), settings, resources, client, connection, connectionLog);
    try {
      await(s, s.redis().ping().toCompletableFuture(), "PING");
    } catch (ComponentException e) {
      close(s);
      throw new ComponentException(e.kind(), "redis state store '" + metadata.componentName()
          + "' cannot use redisHost " + settings.address() + ": " + e.getMessage(), e);
    }
    session = s;
    connectionLog.connected();
    log.info("redis state store '{}' connected: {}", metadata.componentName(), settings);
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

  @Override
  public Health checkHealth() {
    Session s = session;
    if (s == null) {
      return Health.down("redis state store is not initialised");
    }
    if (!s.connection().isOpen()) {
      return Health.down("not connected to redis at " + s.address() + "; reconnecting");
    }
    Duration timeout = s.settings().commandTimeout().compareTo(HEALTH_TIMEOUT) < 0
        ? s.settings().commandTimeout() : HEALTH_TIMEOUT;
    try {
      s.redis().ping().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Health.up();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down("health check of redis at " + s.address() + " was interrupted");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return Health.down(RedisFailures.translate(e, s.address(), timeout, "PING").getMessage());
    }
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    Session s = session();
    String key = requireKey(request.key());
    return read(s, "get of key '" + key + "'", () -> readAsync(s, key));
  }

  @Override
  public List<BulkGetItem> bulkGet(List<GetRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    Session s = session();
    for (GetRequest request : requests) {
      requireKey(request.key());
    }
    return read(s, "bulk get of " + requests.size() + " keys", () -> bulkReadAsync(s, requests));
  }

  /** All reads are sent before any reply is awaited, so the batch costs about one round trip. */
  private CompletableFuture<List<BulkGetItem>> bulkReadAsync(Session s, List<GetRequest> requests) {
    List<CompletableFuture<BulkGetItem>> items = new ArrayList<>(requests.size());
    for (GetRequest request : requests) {
      String key = request.key();
      items.add(readAsync(s, key).handle((value, failure) -> {
        if (failure == null) {
          return new BulkGetItem(key, value.orElse(null), null);
        }
        ComponentException e = translate(s, failure, "get of key '" + key + "'");
        if (e.kind() == Kind.UNAVAILABLE) {
          throw e; // the whole batch fails (and may be retried) when Redis is unreachable
        }
        return new BulkGetItem(key, null, e.getMessage());
      }));
    }
    return CompletableFuture.allOf(items.toArray(CompletableFuture[]::new))
        .thenApply(done -> items.stream().map(CompletableFuture::join).toList());
  }

  /**
   * HMGET of the two fields; a key holding a plain string (WRONGTYPE) is read with GET instead,
   * as Dapr does, and reported with the etag of version 0.
   */
  private static CompletableFuture<Optional<StateValue>> readAsync(Session s, String key) {
    RedisAsyncCommands<String, byte[]> redis = s.redis();
    return redis.hmget(key, DATA_FIELD, VERSION_FIELD).toCompletableFuture()
        .thenApply(RedisStateStore::fromHash)
        .exceptionallyCompose(failure -> RedisFailures.isWrongType(failure)
            ? redis.get(key).toCompletableFuture().thenApply(
                bytes -> Optional.ofNullable(bytes).map(b -> new StateValue(b, UNVERSIONED_ETAG)))
            : CompletableFuture.failedFuture(WriteScript.unwrap(failure)));
  }

  private static Optional<StateValue> fromHash(List<KeyValue<String, byte[]>> fields) {
    KeyValue<String, byte[]> data = fields.get(0);
    KeyValue<String, byte[]> version = fields.get(1);
    if (!data.hasValue() && !version.hasValue()) {
      return Optional.empty();
    }
    String etag = version.hasValue()
        ? new String(version.getValue(), java.nio.charset.StandardCharsets.US_ASCII)
        : UNVERSIONED_ETAG;
    return Optional.of(new StateValue(data.hasValue() ? data.getValue() : new byte[0], etag));
  }

  @Override
  public void set(SetRequest request) {
    Session s = session();
    write(s, List.of(toWriteOp(s, request)), "set of key '" + request.key() + "'");
  }

  @Override
  public void delete(DeleteRequest request) {
    Session s = session();
    WriteOp op = toWriteOp(request);
    String doing = "delete of key '" + request.key() + "'";
    if (op.condition() instanceof WriteOp.Condition.None) {
      await(s, s.redis().del(op.key()).toCompletableFuture(), doing);
    } else {
      write(s, List.of(op), doing);
    }
  }

  @Override
  public void bulkSet(List<SetRequest> requests) {
    Session s = session();
    List<WriteOp> ops = new ArrayList<>(requests.size());
    for (SetRequest request : requests) {
      ops.add(toWriteOp(s, request)); // every request is checked before anything is written
    }
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(ops.size());
    for (WriteOp op : ops) {
      replies.add(WriteScript.send(s.redis(), List.of(op)));
    }
    for (int i = 0; i < ops.size(); i++) {
      WriteOp op = ops.get(i);
      WriteScript.versionsOrThrow(await(s, replies.get(i), "set of key '" + op.key() + "'"), List.of(op));
    }
  }

  @Override
  public void bulkDelete(List<DeleteRequest> requests) {
    Session s = session();
    List<WriteOp> ops = new ArrayList<>(requests.size());
    for (DeleteRequest request : requests) {
      ops.add(toWriteOp(request));
    }
    List<CompletableFuture<?>> replies = new ArrayList<>(ops.size());
    for (WriteOp op : ops) {
      replies.add(op.condition() instanceof WriteOp.Condition.None
          ? s.redis().del(op.key()).toCompletableFuture()
          : WriteScript.send(s.redis(), List.of(op)));
    }
    for (int i = 0; i < ops.size(); i++) {
      WriteOp op = ops.get(i);
      Object reply = await(s, replies.get(i), "delete of key '" + op.key() + "'");
      if (reply instanceof List<?> scriptReply) {
        @SuppressWarnings("unchecked")
        List<Object> typed = (List<Object>) scriptReply;
        WriteScript.versionsOrThrow(typed, List.of(op));
      }
    }
  }

  @Override
  public void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    if (operations.isEmpty()) {
      return;
    }
    Session s = session();
    List<WriteOp> ops = new ArrayList<>(operations.size());
    for (TransactionalOperation operation : operations) {
      ops.add(switch (operation) {
        case TransactionalOperation.Upsert upsert -> toWriteOp(s, upsert.request());
        case TransactionalOperation.Delete delete -> toWriteOp(delete.request());
      });
    }
    write(s, ops, "transaction of " + ops.size() + " operations");
  }

  private void write(Session s, List<WriteOp> ops, String doing) {
    WriteScript.versionsOrThrow(await(s, WriteScript.send(s.redis(), ops), doing), ops);
  }

  private static WriteOp toWriteOp(Session s, SetRequest request) {
    String key = requireKey(request.key());
    String etag = request.etag();
    WriteOp.Condition condition = etag != null ? expectedVersion(key, etag)
        : request.options().firstWrite() ? WriteOp.ABSENT : WriteOp.NONE;
    return WriteOp.set(key, request.value(), condition, etag, ttlOf(s, request.metadata()));
  }

  private static WriteOp toWriteOp(DeleteRequest request) {
    String key = requireKey(request.key());
    String etag = request.etag();
    return WriteOp.delete(key, etag != null ? expectedVersion(key, etag) : WriteOp.NONE, etag);
  }

  /** Etags are versions this store wrote: decimal integers. Anything else can never match. */
  private static WriteOp.Condition expectedVersion(String key, String etag) {
    if (!VERSION_ETAG.matcher(etag).matches()) {
      throw ComponentException.invalidEtag("etag '" + etag + "' of key '" + key
          + "' is not one this store produces (a decimal version number)");
    }
    return new WriteOp.Condition.Version(Long.parseLong(etag));
  }

  /**
   * The request's own {@code ttlInSeconds} wins ({@code -1} meaning no expiry); without one the
   * component's default applies. No expiry also removes an expiry left by an earlier write.
   */
  private static OptionalLong ttlOf(Session s, Map<String, String> metadata) {
    String raw = metadata.get(StateRequests.TTL_IN_SECONDS);
    if (raw == null || raw.isBlank()) {
      return s.settings().defaultTtlSeconds();
    }
    return StateRequests.ttlSeconds(metadata);
  }

  private static String requireKey(String key) {
    if (key.isEmpty()) {
      throw ComponentException.invalidArgument("key must not be empty");
    }
    return key;
  }

  /** Reads are idempotent, so a read that hit a broken connection is retried up to maxRetries times. */
  private <T> T read(Session s, String doing, Supplier<CompletableFuture<T>> call) {
    for (int attempt = 0; ; attempt++) {
      try {
        return await(s, call.get(), doing);
      } catch (ComponentException e) {
        boolean brokenConnection = e.kind() == Kind.UNAVAILABLE
            && !(e.getCause() instanceof RedisCommandTimeoutException || e.getCause() instanceof TimeoutException);
        if (!brokenConnection || attempt >= s.settings().maxRetries()) {
          throw e;
        }
        pause(s, attempt);
      }
    }
  }

  private static void pause(Session s, int attempt) {
    long millis = Math.min(s.settings().maxRetryBackoff().toMillis(), FIRST_READ_RETRY.toMillis() << Math.min(attempt, 20));
    try {
      Thread.sleep(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted while waiting to retry on redis at " + s.address(), e);
    }
  }

  /**
   * Waits for a reply. Lettuce times commands out itself; the extra second only guards against a
   * reply that never comes for another reason.
   */
  private static <T> T await(Session s, CompletableFuture<T> reply, String doing) {
    Duration timeout = s.settings().commandTimeout();
    try {
      return reply.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(false);
      throw ComponentException.unavailable("the " + doing + " on redis at " + s.address() + " was interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      reply.cancel(false);
      throw translate(s, e, doing);
    }
  }

  private static ComponentException translate(Session s, Throwable failure, String doing) {
    return RedisFailures.translate(failure, s.address(), s.settings().commandTimeout(), doing);
  }

  private Session session() {
    Session s = session;
    if (s == null) {
      throw ComponentException.internal("redis state store is not initialised or already closed", null);
    }
    return s;
  }

  @Override
  public synchronized void close() {
    Session s = session;
    session = null;
    if (s != null) {
      close(s);
    }
  }

  private static void close(Session s) {
    s.connectionLog().stop();
    try {
      s.connection().close();
    } catch (RuntimeException e) {
      log.debug("closing the redis connection of '{}' failed", s.component(), e);
    }
    shutdown(s.client(), s.resources());
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
}
