package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.layotto.spi.configuration.SaveRequest;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Configuration store on one Redis server (type {@code redis}): items are hashes, listed per group
 * and label in an index set ({@link ConfigurationLayout}); writes are Lua scripts that also publish
 * each change ({@link ConfigurationCommands}); subscriptions follow the change channel and the
 * server's keyspace notifications ({@link ConfigurationWatcher}), which the store enables with
 * CONFIG SET unless told otherwise ({@link KeyspaceEvents}).
 */
public final class RedisConfigurationStore implements ConfigurationStore {

  static final Set<ConfigurationFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.allOf(ConfigurationFeature.class));

  public static final String KEY_PREFIX = "configKeyPrefix";
  public static final String KEYSPACE_EVENTS = KeyspaceEvents.METADATA_KEY;

  static final MetadataSchema SCHEMA = RedisSettings.connectionSchema()
      .optional(KEY_PREFIX, Type.STRING, ConfigurationLayout.DEFAULT_PREFIX,
          "prefix of every Redis key and channel the store uses")
      .oneOf(KEYSPACE_EVENTS, "enable", KeyspaceEvents.Mode.names(),
          "notify-keyspace-events, needed to see changes made outside Layotto: enable = add the missing flags "
              + KeyspaceEvents.REQUIRED + " with CONFIG SET, check = only verify them, off = push only changes made "
              + "through Layotto")
      .build();

  private volatile @Nullable RedisEndpoint endpoint;
  private volatile @Nullable ConfigurationCommands commands;
  private volatile @Nullable ConfigurationWatcher watcher;

  @Override
  public Set<ConfigurationFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (endpoint != null) {
      throw ComponentException.internal("redis configuration store '" + metadata.componentName()
          + "' is already initialised", null);
    }
    RedisSettings settings = RedisSettings.from(metadata);
    String prefix = metadata.getString(KEY_PREFIX, ConfigurationLayout.DEFAULT_PREFIX);
    KeyspaceEvents.Mode mode;
    try {
      mode = KeyspaceEvents.Mode.parse(metadata.getString(KEYSPACE_EVENTS, "enable"));
    } catch (IllegalArgumentException e) {
      throw RedisSettings.invalid(metadata, KEYSPACE_EVENTS, metadata.getString(KEYSPACE_EVENTS, ""),
          "one of " + KeyspaceEvents.Mode.names());
    }
    RedisEndpoint opened = RedisEndpoint.open("redis configuration store", metadata.componentName(), settings);
    try {
      KeyspaceEvents.ensure(opened, mode);
      ConfigurationCommands c = new ConfigurationCommands(opened, new ConfigurationLayout(prefix, settings.database()));
      watcher = ConfigurationWatcher.start(opened, c, mode, metadata.componentName());
      commands = c;
      endpoint = opened;
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  @Override
  public Health checkHealth() {
    RedisEndpoint e = endpoint;
    ConfigurationWatcher w = watcher;
    if (e == null || w == null) {
      return Health.down("redis configuration store is not initialised");
    }
    Health health = e.health();
    if (!health.isUp()) {
      return health;
    }
    String problem = w.problem();
    return problem == null ? health : Health.down(problem);
  }

  @Override
  public List<ConfigurationItem> get(ConfigurationQuery query) {
    checkQuery(query);
    return commands().get(query);
  }

  @Override
  public void save(SaveRequest request) {
    ConfigurationLayout.checkPart("app_id", request.appId());
    for (int i = 0; i < request.items().size(); i++) {
      ConfigurationItem item = request.items().get(i);
      ConfigurationLayout.checkPart("items[" + i + "].key", item.key());
      ConfigurationLayout.checkPart("items[" + i + "].group", item.group());
      ConfigurationLayout.checkPart("items[" + i + "].label", item.label());
      if (item.content().isEmpty()) {
        throw ComponentException.invalidArgument("items[" + i + "].content (key '" + item.key() + "') is empty");
      }
    }
    if (!request.items().isEmpty()) {
      commands().save(request);
    }
  }

  @Override
  public void delete(ConfigurationQuery query) {
    checkQuery(query);
    if (!query.keys().isEmpty()) {
      commands().delete(query);
    }
  }

  @Override
  public ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
    checkQuery(query);
    ConfigurationWatcher w = watcher;
    if (w == null) {
      throw ComponentException.internal("redis configuration store is not initialised", null);
    }
    return w.subscribe(query, listener);
  }

  private static void checkQuery(ConfigurationQuery query) {
    ConfigurationLayout.checkPart("app_id", query.appId());
    ConfigurationLayout.checkPart("group", query.group());
    ConfigurationLayout.checkPart("label", query.label());
    for (int i = 0; i < query.keys().size(); i++) {
      ConfigurationLayout.checkPart("keys[" + i + "]", query.keys().get(i));
    }
  }

  private ConfigurationCommands commands() {
    ConfigurationCommands c = commands;
    if (c == null) {
      throw ComponentException.internal("redis configuration store is not initialised", null);
    }
    return c;
  }

  @Override
  public synchronized void close() {
    ConfigurationWatcher w = watcher;
    if (w != null) {
      w.close();
    }
    RedisEndpoint e = endpoint;
    if (e != null) {
      e.close();
    }
    watcher = null;
    commands = null;
    endpoint = null;
  }
}
