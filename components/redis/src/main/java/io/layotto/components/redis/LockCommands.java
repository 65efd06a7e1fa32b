package io.layotto.components.redis;

import io.layotto.spi.lock.LockStatus;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The lock commands on one Redis server, shared by the single-node and the Redlock store. A lock is
 * a string key holding the owner with a millisecond expiry, as Layotto's Redis lock stores it.
 * Taking it is one {@code SET NX PX}; releasing and extending are Lua scripts that compare the owner
 * and act in the same atomic step, so a lock taken over after expiry is never touched by its former
 * owner.
 */
final class LockCommands {

  /** Replies 0 = released, 1 = no such lock, 2 = held by another owner. */
  static final LuaScript UNLOCK = new LuaScript("""
      local v = redis.call('GET', KEYS[1])
      if not v then return 1 end
      if v ~= ARGV[1] then return 2 end
      redis.call('DEL', KEYS[1])
      return 0""");

  /** Replies 0 = extended to ARGV[2] ms, 1 = no such lock, 2 = held by another owner. */
  static final LuaScript KEEP_ALIVE = new LuaScript("""
      local v = redis.call('GET', KEYS[1])
      if not v then return 1 end
      if v ~= ARGV[1] then return 2 end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 0""");

  private LockCommands() {}

  /** True when the key was free and now holds {@code owner} for {@code ttlMillis}. */
  static CompletableFuture<Boolean> trySet(RedisEndpoint redis, String key, String owner, long ttlMillis) {
    return redis.redis().set(key, bytes(owner), SetArgs.Builder.nx().px(ttlMillis)).toCompletableFuture()
        .thenApply("OK"::equals);
  }

  static CompletableFuture<LockStatus> unlock(RedisEndpoint redis, String key, String owner) {
    return UNLOCK.<Long>send(redis.redis(), ScriptOutputType.INTEGER, new String[] {key},
        new byte[][] {bytes(owner)}).thenApply(LockCommands::status);
  }

  static CompletableFuture<LockStatus> keepAlive(RedisEndpoint redis, String key, String owner, long ttlMillis) {
    return KEEP_ALIVE.<Long>send(redis.redis(), ScriptOutputType.INTEGER, new String[] {key},
        new byte[][] {bytes(owner), bytes(Long.toString(ttlMillis))}).thenApply(LockCommands::status);
  }

  private static LockStatus status(Long reply) {
    return switch (reply.intValue()) {
      case 0 -> LockStatus.SUCCESS;
      case 1 -> LockStatus.LOCK_UNEXIST;
      case 2 -> LockStatus.LOCK_BELONG_TO_OTHERS;
      default -> throw new IllegalStateException("unexpected reply " + reply + " of a lock script");
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
