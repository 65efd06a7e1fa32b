package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one Lua script behind every write: it checks the conditions of all its operations first
 * (simulating the earlier operations of the batch, so two writes to one key behave as if run in
 * order) and only then applies them all. A single set is a batch of one; a transaction is the whole
 * batch, which makes it all-or-nothing. Redis runs a script without interleaving other commands,
 * so check and write are atomic.
 *
 * <p>Layout written: a hash {@code data} (raw bytes) + {@code version} (integer, +1 per write), as
 * Dapr and Layotto do. A plain string found at a key counts as version 0 and is converted to a hash
 * when written.
 */
final class WriteScript {

  /** Reply {@code {status, index, storedVersion}} on failure, {@code {0, v1, v2, ...}} on success. */
  static final String SOURCE = """
      local known = {}
      local function version(key)
        local v = known[key]
        if v ~= nil then return v end
        local t = redis.call('TYPE', key)['ok']
        if t == 'none' then
          v = false
        elseif t == 'string' then
          v = 0
        elseif t == 'hash' then
          local raw = redis.call('HGET', key, 'version')
          if raw == false then
            v = 0
          elseif string.match(raw, '^%d+$') then
            v = tonumber(raw)
          else
            return nil
          end
        else
          return nil
        end
        known[key] = v
        return v
      end
      for i = 1, #KEYS do
        local key = KEYS[i]
        local action, expected = ARGV[i * 4 - 3], ARGV[i * 4 - 2]
        local v = version(key)
        if v == nil then return {3, i, -1} end
        if expected == '*' then
          if v ~= false then return {2, i, v} end
        elseif expected ~= '' then
          if v == false then return {1, i, -1} end
          if v ~= tonumber(expected) then return {1, i, v} end
        end
        if action == 'set' then known[key] = (v or 0) + 1 else known[key] = false end
      end
      local result = {0}
      for i = 1, #KEYS do
        local key = KEYS[i]
        local base = i * 4 - 4
        if ARGV[base + 1] == 'del' then
          redis.call('DEL', key)
          result[i + 1] = 0
        else
          if redis.call('TYPE', key)['ok'] == 'string' then redis.call('DEL', key) end
          redis.call('HSET', key, 'data', ARGV[base + 4])
          result[i + 1] = redis.call('HINCRBY', key, 'version', 1)
          local ttl = ARGV[base + 3]
          if ttl == '' then redis.call('PERSIST', key) else redis.call('EXPIRE', key, ttl) end
        end
      end
      return result
      """;

  private static final LuaScript SCRIPT = new LuaScript(SOURCE);
  static final String SHA1 = SCRIPT.sha1();

  private static final long OK = 0;
  private static final long ETAG_MISMATCH = 1;
  private static final long EXISTS = 2;
  private static final long NOT_A_STATE_VALUE = 3;

  private WriteScript() {}

  /**
   * Sends the batch with EVALSHA, falling back to EVAL (which also caches the script) when the
   * server does not know it, e.g. after a restart. Does not wait.
   */
  static CompletableFuture<List<Object>> send(RedisAsyncCommands<String, byte[]> redis, List<WriteOp> ops) {
    String[] keys = new String[ops.size()];
    byte[][] args = new byte[ops.size() * 4][];
    for (int i = 0; i < ops.size(); i++) {
      keys[i] = ops.get(i).key();
      System.arraycopy(ops.get(i).scriptArguments(), 0, args, i * 4, 4);
    }
    return SCRIPT.send(redis, ScriptOutputType.MULTI, keys, args);
  }

  /**
   * Turns the script's reply into success or the precise failure.
   *
   * @return the new version of each operation (0 for deletes)
   */
  static long[] versionsOrThrow(List<Object> reply, List<WriteOp> ops) {
    long status = number(reply, 0);
    if (status == OK) {
      long[] versions = new long[ops.size()];
      for (int i = 0; i < versions.length; i++) {
        versions[i] = number(reply, i + 1);
      }
      return versions;
    }
    WriteOp op = ops.get((int) number(reply, 1) - 1);
    long stored = number(reply, 2);
    String where = (ops.size() > 1 ? "operation " + number(reply, 1) + " of the transaction, " : "")
        + "key '" + op.key() + "'";
    if (status == ETAG_MISMATCH) {
      throw ComponentException.etagMismatch(stored < 0
          ? "etag mismatch on " + where + ": etag '" + op.etag() + "' given but the key does not exist"
          : "etag mismatch on " + where + ": etag '" + op.etag() + "' given, current etag is '" + stored + "'");
    }
    if (status == EXISTS) {
      throw ComponentException.etagMismatch(
          "first-write failed on " + where + ": the key already exists (etag '" + stored + "')");
    }
    if (status == NOT_A_STATE_VALUE) {
      throw ComponentException.internal("cannot write " + where
          + ": it holds a Redis value that is neither a state hash {data, version} nor a string", null);
    }
    throw ComponentException.internal("unexpected reply " + status + " of the redis write script", null);
  }

  private static long number(List<Object> reply, int index) {
    if (index >= reply.size() || !(reply.get(index) instanceof Long value)) {
      throw ComponentException.internal("unexpected reply of the redis write script: " + reply.size() + " elements", null);
    }
    return value;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
