package io.layotto.components.etcd;

import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.options.GetOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import io.netty.util.HashedWheelTimer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One jetcd client of a lock store or sequencer: connects at init (failing fast when etcd does not
 * answer), turns jetcd's futures into results or {@link ComponentException}s naming the endpoints
 * and the operation, and maps the component's keys under {@code keyPrefixPath}.
 */
final class EtcdSession implements AutoCloseable {

  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  /**
   * Bounds the requests of {@link #later} for every etcd component of the process: one thread,
   * started with the first request, ticking every 10 ms (a timeout fires up to 10 ms late).
   */
  private static final HashedWheelTimer TIMEOUTS = new HashedWheelTimer(
      Thread.ofPlatform().daemon().name("etcd-timeouts").factory(), 10, TimeUnit.MILLISECONDS);

  private static final ClientInterceptor DIRECT_CALLBACKS = new ClientInterceptor() {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return next.newCall(method, options.withExecutor(MoreExecutors.directExecutor()));
    }
  };

  private final Client client;
  private final EtcdSettings settings;
  private final String what;

  private EtcdSession(Client client, EtcdSettings settings, String what) {
    this.client = client;
    this.settings = settings;
    this.what = what;
  }

  /** Metadata keys of the lock and sequencer types (Layotto's etcd lock/sequencer keys). */
  static MetadataSchema schema(String defaultPrefix) {
    return MetadataSchema.builder()
        .required(EtcdSettings.ENDPOINTS, Type.STRING, "etcd endpoints, ';' or ',' separated, e.g. 127.0.0.1:2379")
        .optional(EtcdSettings.DIAL_TIMEOUT, Type.DURATION, "5s", "timeout of connecting; a bare number counts seconds")
        .optional(EtcdSettings.REQUEST_TIMEOUT, Type.DURATION, "5s", "timeout of one request; a bare number counts seconds")
        .optional(EtcdSettings.USERNAME, Type.STRING, null, "etcd user (needs password)")
        .optional(EtcdSettings.PASSWORD, Type.SECRET, null, "etcd password")
        .optional(EtcdSettings.KEY_PREFIX_PATH, Type.STRING, defaultPrefix, "where the component's keys live")
        .build();
  }

  /**
   * Connects and reads once, so a wrong endpoint or credentials fail the start-up.
   *
   * @param what e.g. "etcd lock store 'lock_demo'", used in every message
   */
  static EtcdSession open(Metadata metadata, String defaultPrefix, String what) {
    EtcdSettings s = EtcdSettings.from(metadata);
    if (metadata.get(EtcdSettings.KEY_PREFIX_PATH).isEmpty()) {
      s = new EtcdSettings(s.endpoints(), s.username(), s.password(), s.dialTimeout(), s.requestTimeout(), defaultPrefix);
    }
    ClientBuilder builder = Client.builder().endpoints(s.endpoints().toArray(String[]::new))
        .connectTimeout(s.dialTimeout())
        // fail at once while etcd is unreachable, and do not retry a request after its caller was
        // told it failed: a late retried lock or counter update would act behind the caller's back
        .waitForReady(false).retryMaxDuration(s.requestTimeout())
        // jetcd hands each reply from gRPC's event loop to gRPC's default executor, then to its own
        // pool, before a caller sees it: two thread hand-offs per request (at saturation about ten
        // context switches per id). Replies complete on the event loop instead; what the lock store
        // chains on them only starts the next request, and blocking callers wait on other threads
        .interceptor(DIRECT_CALLBACKS).executorService(MoreExecutors.newDirectExecutorService());
    if (s.username() != null && s.password() != null) {
      builder.user(bytes(s.username())).password(bytes(s.password()));
    }
    EtcdSession session = new EtcdSession(builder.build(), s, what);
    try {
      session.await(session.client.getKVClient().get(bytes(s.keyPrefix()), GetOption.builder().withCountOnly(true).build()),
          s.dialTimeout().plus(s.requestTimeout()), "first read");
    } catch (ComponentException e) {
      session.close();
      throw new ComponentException(e.kind(), what + " cannot use endpoints " + s.endpoints() + ": " + e.getMessage(), e);
    }
    return session;
  }

  Client client() {
    return client;
  }

  EtcdSettings settings() {
    return settings;
  }

  /** The etcd key of a component key (lock resource id or sequencer key). */
  ByteSequence key(String componentKey) {
    return bytes(settings.keyPrefix() + componentKey);
  }

  Health health() {
    try {
      await(client.getKVClient().get(bytes(settings.keyPrefix()), GetOption.builder().withCountOnly(true).build()),
          HEALTH_TIMEOUT, "health check");
      return Health.up();
    } catch (ComponentException e) {
      return Health.down(e.getMessage());
    }
  }

  /** Waits for a reply within the request timeout. */
  <T> T await(CompletableFuture<T> reply, String doing) {
    return await(reply, settings.requestTimeout(), doing);
  }

  /** {@link #await} without blocking; see {@link EtcdReplies#later}. */
  <T> CompletableFuture<T> later(CompletableFuture<T> reply, String doing) {
    return EtcdReplies.later(reply, TIMEOUTS, settings.requestTimeout(), settings.endpoints(), doing + " of " + what);
  }

  <T> T await(CompletableFuture<T> reply, Duration timeout, String doing) {
    return EtcdReplies.await(reply, timeout, settings.endpoints(), doing + " of " + what);
  }

  /** A key or id for a message: long ones are cut, so a huge bad input does not make a huge message. */
  static String shown(String id) {
    return id.length() <= 100 ? id : id.substring(0, 100) + "... (" + id.length() + " characters)";
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
