package io.layotto.components.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.SaveRequest;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes configuration items in the {@link ConfigurationLayout}, each operation one Lua
 * script (atomic, one round trip). Writes publish every change on the change channel before
 * applying it, so the change message precedes the item's keyspace notification on every
 * subscriber's connection (see {@link ConfigurationWatcher}).
 */
final class ConfigurationCommands {

  /**
   * KEYS: the item hashes; ARGV: channel, then per item index, app, group, label, key, content,
   * tags. Checks every key's type first, so a failure leaves nothing half written.
   */
  private static final LuaScript SAVE = new LuaScript("""
      for i, item in ipairs(KEYS) do
        local kind = redis.call('TYPE', item).ok
        if kind ~= 'hash' and kind ~= 'none' then
          return redis.error_reply('WRONGTYPE key ' .. item .. ' holds a ' .. kind .. ', not a configuration item hash')
        end
      end
      local versions = {}
      for i, item in ipairs(KEYS) do
        local b = 1 + (i - 1) * 7
        local version = (tonumber(redis.call('HGET', item, 'version')) or 0) + 1
        redis.call('PUBLISH', ARGV[1], cjson.encode({app = ARGV[b + 2], group = ARGV[b + 3], label = ARGV[b + 4],
            key = ARGV[b + 5], content = ARGV[b + 6], tags = ARGV[b + 7], version = version}))
        redis.call('HSET', item, 'content', ARGV[b + 6], 'tags', ARGV[b + 7], 'version', version)
        redis.call('SADD', ARGV[b + 1], ARGV[b + 5])
        versions[i] = version
      end
      return versions
      """);

  /** KEYS: the item hashes; ARGV: channel, index, app, group, label, then the keys. */
  private static final LuaScript DELETE = new LuaScript("""
      for i, item in ipairs(KEYS) do
        local key = ARGV[5 + i]
        if redis.call('EXISTS', item) == 1 then
          redis.call('PUBLISH', ARGV[1], cjson.encode({app = ARGV[3], group = ARGV[4], label = ARGV[5],
              key = key, deleted = true}))
          redis.call('DEL', item)
        end
        redis.call('SREM', ARGV[2], key)
      end
      return #KEYS
      """);

  /** KEYS: item hashes; returns content, tags, version per key (nil content: no item). */
  private static final LuaScript READ_ITEMS = new LuaScript("""
      local out = {}
      for i, item in ipairs(KEYS) do
        if redis.call('TYPE', item).ok == 'hash' then
          local v = redis.call('HMGET', item, 'content', 'tags', 'version')
          out[#out + 1] = v[1]
          out[#out + 1] = v[2]
          out[#out + 1] = v[3]
        else
          out[#out + 1] = false
          out[#out + 1] = false
          out[#out + 1] = false
        end
      end
      return out
      """);

  /** KEYS: the index; ARGV: the item name prefix. Returns key, content, tags, version per item. */
  private static final LuaScript READ_SCOPE = new LuaScript("""
      local out = {}
      for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local item = ARGV[1] .. key
        if redis.call('TYPE', item).ok == 'hash' then
          local v = redis.call('HMGET', item, 'content', 'tags', 'version')
          if v[1] then
            out[#out + 1] = key
            out[#out + 1] = v[1]
            out[#out + 1] = v[2]
            out[#out + 1] = v[3]
          end
        end
      end
      return out
      """);

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> TAGS_TYPE = new TypeReference<>() {};
  private static final Logger log = LoggerFactory.getLogger(ConfigurationCommands.class);

  private final RedisEndpoint endpoint;
  private final ConfigurationLayout layout;

  ConfigurationCommands(RedisEndpoint endpoint, ConfigurationLayout layout) {
    this.endpoint = endpoint;
    this.layout = layout;
  }

  ConfigurationLayout layout() {
    return layout;
  }

  /** The query's items: all of the group and label in key order, or the named keys in their order. */
  List<ConfigurationItem> get(ConfigurationQuery query) {
    String appId = query.appId();
    if (query.allKeys()) {
      List<Object> reply = endpoint.await(READ_SCOPE.send(endpoint.redis(), ScriptOutputType.MULTI,
          new String[] {layout.indexKey(appId, query.group(), query.label())},
          new byte[][] {bytes(layout.scopePrefix(appId, query.group(), query.label()))}),
          "read of configuration group '" + query.group() + "' label '" + query.label() + "' of app '" + appId + "'");
      List<ConfigurationItem> items = new ArrayList<>();
      for (int i = 0; i + 3 < reply.size(); i += 4) {
        ConfigurationItem item = item(text(reply.get(i)), reply.get(i + 1), reply.get(i + 2), reply.get(i + 3),
            query.group(), query.label());
        if (item != null) {
          items.add(item);
        }
      }
      items.sort(Comparator.comparing(ConfigurationItem::key));
      return items;
    }
    String[] keys = query.keys().stream()
        .map(key -> layout.itemKey(appId, query.group(), query.label(), key)).toArray(String[]::new);
    List<Object> reply = endpoint.await(READ_ITEMS.send(endpoint.redis(), ScriptOutputType.MULTI, keys, new byte[0][]),
        "read of configuration " + describe(query.keys()) + " of app '" + appId + "'");
    List<ConfigurationItem> items = new ArrayList<>();
    for (int i = 0; i < query.keys().size(); i++) {
      ConfigurationItem item = item(query.keys().get(i), reply.get(3 * i), reply.get(3 * i + 1), reply.get(3 * i + 2),
          query.group(), query.label());
      if (item != null) {
        items.add(item);
      }
    }
    return items;
  }

  void save(SaveRequest request) {
    List<ConfigurationItem> items = request.items();
    String[] keys = new String[items.size()];
    byte[][] args = new byte[1 + 7 * items.size()][];
    args[0] = bytes(layout.changeChannel());
    for (int i = 0; i < items.size(); i++) {
      ConfigurationItem item = items.get(i);
      keys[i] = layout.itemKey(request.appId(), item.group(), item.label(), item.key());
      int b = 1 + 7 * i;
      args[b] = bytes(layout.indexKey(request.appId(), item.group(), item.label()));
      args[b + 1] = bytes(request.appId());
      args[b + 2] = bytes(item.group());
      args[b + 3] = bytes(item.label());
      args[b + 4] = bytes(item.key());
      args[b + 5] = bytes(item.content());
      args[b + 6] = bytes(tagsJson(item.tags()));
    }
    endpoint.await(SAVE.send(endpoint.redis(), ScriptOutputType.MULTI, keys, args),
        "save of configuration " + describe(items.stream().map(ConfigurationItem::key).toList()) + " of app '"
            + request.appId() + "'");
  }

  void delete(ConfigurationQuery query) {
    String appId = query.appId();
    String[] keys = query.keys().stream()
        .map(key -> layout.itemKey(appId, query.group(), query.label(), key)).toArray(String[]::new);
    byte[][] args = new byte[5 + keys.length][];
    args[0] = bytes(layout.changeChannel());
    args[1] = bytes(layout.indexKey(appId, query.group(), query.label()));
    args[2] = bytes(appId);
    args[3] = bytes(query.group());
    args[4] = bytes(query.label());
    for (int i = 0; i < keys.length; i++) {
      args[5 + i] = bytes(query.keys().get(i));
    }
    endpoint.await(DELETE.send(endpoint.redis(), ScriptOutputType.INTEGER, keys, args),
        "delete of configuration " + describe(query.keys()) + " of app '" + appId + "'");
  }

  static String tagsJson(Map<String, String> tags) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(tags));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serialises", e);
    }
  }

  /** Tags as saved; an item written by hand with other JSON, or none, has no tags. */
  static Map<String, String> parseTags(@Nullable String json, String key) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      Map<String, String> tags = JSON.readValue(json, TAGS_TYPE);
      return tags == null ? Map.of() : tags;
    } catch (JsonProcessingException e) {
      log.debug("tags of configuration key '{}' are not a JSON object of strings; reported as none", key);
      return Map.of();
    }
  }

  private static @Nullable ConfigurationItem item(String key, @Nullable Object content, @Nullable Object tags,
      @Nullable Object version, String group, String label) {
    String text = content == null ? null : text(content);
    if (text == null || text.isEmpty()) {
      return null;
    }
    return new ConfigurationItem(key, text, group, label, parseTags(tags == null ? null : text(tags), key),
        version == null ? "0" : text(version));
  }

  private static String text(Object value) {
    return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String describe(List<String> keys) {
    return keys.size() == 1 ? "key '" + keys.getFirst() + "'" : keys.size() + " keys";
  }
}
