package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.SharesEventLoops;
import io.netty.channel.EventLoopGroup;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.NonBlockingSequencer;
import io.layotto.spi.sequencer.SequencerFeature;
import io.layotto.spi.sequencer.SequencerKeys;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sequencer type {@code redis}, as Layotto's: each key is a Redis integer holding the last id handed
 * out. {@code INCR} gives the next id, {@code INCRBY size} reserves a range (ids
 * {@code v-size+1 .. v}); both are atomic in Redis, so any number of sidecars may share the server.
 * {@code biggerThan} raises a key to its value at init unless it is already higher.
 */
public final class RedisSequencer implements NonBlockingSequencer, SharesEventLoops {

  static final Set<SequencerFeature> FEATURES = Collections.unmodifiableSet(EnumSet.of(
      SequencerFeature.SEGMENTS, SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND));

  /**
   * Sets the key to ARGV[1] unless it already holds a larger integer. The numbers are compared as
   * decimal strings: Lua numbers are doubles and would round int64 values.
   */
  private static final LuaScript RAISE_TO = new LuaScript("""
      local v = redis.call('GET', KEYS[1])
      local floor = ARGV[1]
      if v and string.sub(v, 1, 1) ~= '-' and
          (string.len(v) > string.len(floor) or (string.len(v) == string.len(floor) and v >= floor)) then
        return 0
      end
      redis.call('SET', KEYS[1], floor)
      return 1
      """);

  private volatile @Nullable RedisEndpoint session;
  private @Nullable EventLoopGroup sharedLoops;
  /** Called by the runtime before {@link #init}: one Redis connection per loop, used from that loop. */
  @Override
  public synchronized void shareEventLoops(EventLoopGroup loops) {
    sharedLoops = loops;
  }


  @Override
  public Set<SequencerFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata, Map<String, Long> biggerThan) {
    if (session != null) {
      throw ComponentException.internal("redis sequencer '" + metadata.componentName() + "' is already initialised", null);
    }
    RedisEndpoint s = RedisEndpoint.open("redis sequencer", metadata.componentName(), RedisSettings.from(metadata), sharedLoops);
    try {
      for (Map.Entry<String, Long> e : biggerThan.entrySet()) {
        if (e.getValue() > 0) {
          String key = SequencerKeys.requireKey(e.getKey());
          byte[] floor = Long.toString(e.getValue()).getBytes(StandardCharsets.US_ASCII);
          CompletableFuture<Long> raised = RAISE_TO.send(s.redis(), ScriptOutputType.INTEGER, new String[] {key},
              new byte[][] {floor});
          s.await(raised, "biggerThan " + e.getValue() + " of key '" + key + "'");
        }
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    session = s;
  }

  @Override
  public Health checkHealth() {
    RedisEndpoint s = session;
    return s == null ? Health.down("redis sequencer is not initialised") : s.health();
  }

  @Override
  public long nextId(String key) {
    SequencerKeys.requireKey(key);
    RedisEndpoint s = session();
    return increment(s, key, 1, s.redis().incr(key).toCompletableFuture());
  }

  @Override
  public IdRange reserve(String key, int size) {
    SequencerKeys.requireKey(key);
    SequencerKeys.requireSize(size);
    RedisEndpoint s = session();
    long last = increment(s, key, size, s.redis().incrby(key, size).toCompletableFuture());
    return new IdRange(last - size + 1, last);
  }

  @Override
  public CompletableFuture<Long> nextIdAsync(String key) {
    SequencerKeys.requireKey(key);
    RedisEndpoint s = session();
    String doing = describe(key, 1);
    return s.redis().incr(key).toCompletableFuture().handle((id, failure) -> {
      if (failure != null) {
        throw explain(s, key, doing, s.translate(failure, doing));
      }
      return id;
    });
  }

  private static long increment(RedisEndpoint s, String key, int by, CompletableFuture<Long> reply) {
    String doing = describe(key, by);
    try {
      return s.await(reply, doing);
    } catch (ComponentException e) {
      throw explain(s, key, doing, e);
    }
  }

  private static String describe(String key, int by) {
    return (by == 1 ? "INCR" : "INCRBY " + by) + " of key '" + key + "'";
  }

  /** Names the two refusals of INCR that concern the key: the counter is at its end, or is no counter. */
  private static ComponentException explain(RedisEndpoint s, String key, String doing, ComponentException e) {
    if (e.getCause() instanceof RedisCommandExecutionException redis && redis.getMessage() != null) {
      if (redis.getMessage().contains("overflow")) {
        return SequencerKeys.exhausted(key, "redis at " + s.address() + " refused the " + doing + ": "
            + redis.getMessage());
      }
      if (redis.getMessage().contains("not an integer") || redis.getMessage().startsWith("WRONGTYPE")) {
        return ComponentException.internal("key '" + key + "' on redis at " + s.address()
            + " holds something other than a sequencer counter: " + redis.getMessage(), redis);
      }
    }
    return e;
  }

  private RedisEndpoint session() {
    RedisEndpoint s = session;
    if (s == null) {
      throw ComponentException.internal("redis sequencer is not initialised (or already closed)", null);
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
