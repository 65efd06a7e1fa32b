package io.layotto.components.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * A Lua script run by its SHA-1, sent in full only when the server does not know it yet (first
 * use, or after a restart emptied the script cache). One script is one command, so it is safe on a
 * connection shared by many threads, where MULTI/EXEC would interleave with other callers.
 */
final class LuaScript {

  private final byte[] source;
  private final String sha1;

  LuaScript(String source) {
    this.source = source.getBytes(StandardCharsets.UTF_8);
    this.sha1 = sha1(this.source);
  }

  String sha1() {
    return sha1;
  }

  /** Sends the script with EVALSHA, falling back to EVAL (which also caches it). Does not wait. */
  <T> CompletableFuture<T> send(RedisAsyncCommands<String, byte[]> redis, ScriptOutputType type, String[] keys,
      byte[][] args) {
    CompletableFuture<T> bySha = redis.<T>evalsha(sha1, type, keys, args).toCompletableFuture();
    return bySha.exceptionallyCompose(failure -> WriteScript.unwrap(failure) instanceof RedisNoScriptException
        ? redis.<T>eval(source, type, keys, args).toCompletableFuture()
        : CompletableFuture.failedFuture(WriteScript.unwrap(failure)));
  }

  private static String sha1(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
