package io.layotto.components.redis;

import io.layotto.spi.pubsub.PublishRequest;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Bulk publish in one round trip: one script appends every message to its stream, in request
 * order, with the layout of {@link StreamEntries}. It first checks that every topic key is a stream
 * (or absent), so a key of another type fails the whole batch before anything is written.
 */
final class PublishScript {

  /** KEYS: the stream of each message; ARGV[1]: approximate max length or ''; then data, metadata per message. */
  static final String SOURCE = """
      for i = 1, #KEYS do
        local t = redis.call('TYPE', KEYS[i])['ok']
        if t ~= 'stream' and t ~= 'none' then
          return redis.error_reply('WRONGTYPE topic ' .. KEYS[i] .. ' holds a ' .. t .. ', not a stream')
        end
      end
      local ids = {}
      for i = 1, #KEYS do
        local command = {'XADD', KEYS[i]}
        if ARGV[1] ~= '' then
          table.insert(command, 'MAXLEN')
          table.insert(command, '~')
          table.insert(command, ARGV[1])
        end
        table.insert(command, '*')
        table.insert(command, 'data')
        table.insert(command, ARGV[i * 2])
        if ARGV[i * 2 + 1] ~= '' then
          table.insert(command, 'metadata')
          table.insert(command, ARGV[i * 2 + 1])
        end
        ids[i] = redis.call(unpack(command))
      end
      return ids
      """;

  private static final LuaScript SCRIPT = new LuaScript(SOURCE);

  private PublishScript() {}

  /** Sends the batch; the reply is the new entry ids in request order. Does not wait. */
  static CompletableFuture<List<Object>> send(RedisAsyncCommands<String, byte[]> redis, List<PublishRequest> requests,
      OptionalLong maxLenApprox) {
    String[] keys = new String[requests.size()];
    byte[][] args = new byte[1 + requests.size() * 2][];
    args[0] = maxLenApprox.isPresent()
        ? String.valueOf(maxLenApprox.getAsLong()).getBytes(StandardCharsets.US_ASCII) : new byte[0];
    for (int i = 0; i < requests.size(); i++) {
      PublishRequest request = requests.get(i);
      keys[i] = request.topic();
      args[1 + i * 2] = request.data();
      args[2 + i * 2] = StreamEntries.metadataJson(request);
    }
    return SCRIPT.send(redis, ScriptOutputType.MULTI, keys, args);
  }
}
