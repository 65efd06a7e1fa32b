package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.netty.channel.EventLoopGroup;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.NonBlockingStateStore;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateRequests;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * State store on one Redis server (type {@code redis}), data-compatible with Dapr's and Layotto's:
 * each key is a hash {@code {data, version}} and the etag is the version in decimal. Writes go
 * through {@link WriteScript}, so etag checks, first-write and transactions are atomic in Redis.
 *
 * <p>One multiplexed Lettuce connection ({@link RedisEndpoint}) serves all threads. While Redis is
 * unreachable, commands fail at once with {@link Kind#UNAVAILABLE} and Lettuce reconnects in the
 * background, so the store recovers by itself when Redis comes back.
 *
 * <p>Single-key calls also come without blocking ({@link NonBlockingStateStore}): Lettuce sends
 * from the caller's thread and completes the future on its event loop, and its command timeout
 * bounds every future.
 */
public final class RedisStateStore implements NonBlockingStateStore, SharesEventLoops {

  static final Set<StateFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.of(StateFeature.ETAG, StateFeature.TRANSACTIONAL, StateFeature.TTL));

  static final String DATA_FIELD = "data";
  static final String VERSION_FIELD = "version";
  /** Etag of a value that has no version: a plain string, as {@code redis-cli set} leaves it. */
  static final String UNVERSIONED_ETAG = "0";
  private static final Pattern VERSION_ETAG = Pattern.compile("\\d{1,18}");
  private static final Duration FIRST_READ_RETRY = Duration.ofMillis(10);

  private volatile @Nullable RedisEndpoint session;
  private @Nullable EventLoopGroup sharedLoops;
  /** Called by the runtime before {@link #init}: one Redis connection per loop, used from that loop. */
  @Override
  public synchronized void shareEventLoops(EventLoopGroup loops) {
    sharedLoops = loops;
  }


  @Override
  public Set<StateFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (session != null) {
      throw ComponentException.internal("redis state store '" + metadata.componentName() + "' is already initialised", null);
    }
    session = RedisEndpoint.open("redis state store", metadata.componentName(), RedisSettings.from(metadata), sharedLoops);
  }

  @Override
  public Health checkHealth() {
    RedisEndpoint s = session;
    if (s == null) {
      return Health.down("redis state store is not initialised");
    }
    return s.health();
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    RedisEndpoint s = session();
    String key = requireKey(request.key());
    return read(s, "get of key '" + key + "'", () -> readAsync(s, key));
  }

  @Override
  public List<BulkGetItem> bulkGet(List<GetRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    RedisEndpoint s = session();
    for (GetRequest request : requests) {
      requireKey(request.key());
    }
    return read(s, "bulk get of " + requests.size() + " keys", () -> bulkReadAsync(s, requests));
  }

  @Override
  public CompletableFuture<Optional<StateValue>> getAsync(GetRequest request) {
    RedisEndpoint s = session();
    String key = requireKey(request.key());
    CompletableFuture<Optional<StateValue>> result = new CompletableFuture<>();
    readWithRetries(s, key, 0, result);
    return result;
  }

  /** The non-blocking twin of {@link #read}: a read that hit a broken connection is sent again later. */
  private void readWithRetries(RedisEndpoint s, String key, int attempt, CompletableFuture<Optional<StateValue>> result) {
    readAsync(s, key).whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
        return;
      }
      ComponentException e = translate(s, failure, "get of key '" + key + "'");
      if (!isBrokenConnection(e) || attempt >= s.settings().maxRetries()) {
        result.completeExceptionally(e);
        return;
      }
      CompletableFuture.delayedExecutor(retryPause(s, attempt), TimeUnit.MILLISECONDS)
          .execute(() -> readWithRetries(s, key, attempt + 1, result));
    });
  }

  @Override
  public CompletableFuture<Void> bulkSetAsync(List<SetRequest> requests) {
    RedisEndpoint s = session();
    List<WriteOp> ops = new ArrayList<>(requests.size());
    for (SetRequest request : requests) {
      ops.add(toWriteOp(s, request)); // every request is checked before anything is written
    }
    CompletableFuture<?>[] writes = new CompletableFuture<?>[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      WriteOp op = ops.get(i);
      writes[i] = WriteScript.send(s.redis(), List.of(op)).handle((reply, failure) -> {
        if (failure != null) {
          throw translate(s, failure, "set of key '" + op.key() + "'");
        }
        WriteScript.versionsOrThrow(reply, List.of(op));
        return null;
      });
    }
    return writes.length == 1 ? writes[0].thenApply(done -> null) : firstFailureOf(writes);
  }

  @Override
  public CompletableFuture<Void> deleteAsync(DeleteRequest request) {
    RedisEndpoint s = session();
    WriteOp op = toWriteOp(request);
    String doing = "delete of key '" + request.key() + "'";
    if (op.condition() instanceof WriteOp.Condition.None) {
      return s.redis().del(op.key()).toCompletableFuture().handle((deleted, failure) -> {
        if (failure != null) {
          throw translate(s, failure, doing);
        }
        return null;
      });
    }
    return WriteScript.send(s.redis(), List.of(op)).handle((reply, failure) -> {
      if (failure != null) {
        throw translate(s, failure, doing);
      }
      WriteScript.versionsOrThrow(reply, List.of(op));
      return null;
    });
  }

  /**
   * Completes when all writes have, failing with the failure of the first write in request order
   * (as {@link #bulkSet} reports it), unwrapped from the {@code CompletionException} around it.
   */
  private static CompletableFuture<Void> firstFailureOf(CompletableFuture<?>[] writes) {
    return CompletableFuture.allOf(writes).handle((done, ignored) -> {
      for (CompletableFuture<?> write : writes) {
        if (write.isCompletedExceptionally()) {
          throw new CompletionException(write.exceptionNow());
        }
      }
      return null;
    });
  }

  /** All reads are sent before any reply is awaited, so the batch costs about one round trip. */
  private CompletableFuture<List<BulkGetItem>> bulkReadAsync(RedisEndpoint s, List<GetRequest> requests) {
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
  private static CompletableFuture<Optional<StateValue>> readAsync(RedisEndpoint s, String key) {
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
    RedisEndpoint s = session();
    write(s, List.of(toWriteOp(s, request)), "set of key '" + request.key() + "'");
  }

  @Override
  public void delete(DeleteRequest request) {
    RedisEndpoint s = session();
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
    RedisEndpoint s = session();
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
    RedisEndpoint s = session();
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
    RedisEndpoint s = session();
    List<WriteOp> ops = new ArrayList<>(operations.size());
    for (TransactionalOperation operation : operations) {
      ops.add(switch (operation) {
        case TransactionalOperation.Upsert upsert -> toWriteOp(s, upsert.request());
        case TransactionalOperation.Delete delete -> toWriteOp(delete.request());
      });
    }
    write(s, ops, "transaction of " + ops.size() + " operations");
  }

  private void write(RedisEndpoint s, List<WriteOp> ops, String doing) {
    WriteScript.versionsOrThrow(await(s, WriteScript.send(s.redis(), ops), doing), ops);
  }

  private static WriteOp toWriteOp(RedisEndpoint s, SetRequest request) {
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
  private static OptionalLong ttlOf(RedisEndpoint s, Map<String, String> metadata) {
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
  private <T> T read(RedisEndpoint s, String doing, Supplier<CompletableFuture<T>> call) {
    for (int attempt = 0; ; attempt++) {
      try {
        return await(s, call.get(), doing);
      } catch (ComponentException e) {
        if (!isBrokenConnection(e) || attempt >= s.settings().maxRetries()) {
          throw e;
        }
        pause(s, attempt);
      }
    }
  }

  /** A connection that broke (not a timeout, which may have been executed): safe to read again. */
  private static boolean isBrokenConnection(ComponentException e) {
    return e.kind() == Kind.UNAVAILABLE
        && !(e.getCause() instanceof RedisCommandTimeoutException || e.getCause() instanceof TimeoutException);
  }

  private static long retryPause(RedisEndpoint s, int attempt) {
    long millis = Math.min(s.settings().maxRetryBackoff().toMillis(), FIRST_READ_RETRY.toMillis() << Math.min(attempt, 20));
    return Math.max(1, millis);
  }

  private static void pause(RedisEndpoint s, int attempt) {
    try {
      Thread.sleep(retryPause(s, attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ComponentException.unavailable("interrupted while waiting to retry on redis at " + s.address(), e);
    }
  }

  private static <T> T await(RedisEndpoint s, CompletableFuture<T> reply, String doing) {
    return s.await(reply, doing);
  }

  private static ComponentException translate(RedisEndpoint s, Throwable failure, String doing) {
    return s.translate(failure, doing);
  }

  private RedisEndpoint session() {
    RedisEndpoint s = session;
    if (s == null) {
      throw ComponentException.internal("redis state store is not initialised or already closed", null);
    }
    return s;
  }

  @Override
  public synchronized void close() {
    RedisEndpoint s = session;
    session = null;
    if (s != null) {
      s.close();
    }
  }
}
