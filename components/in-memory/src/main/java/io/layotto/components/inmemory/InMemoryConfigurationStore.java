package io.layotto.components.inmemory;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.layotto.spi.configuration.SaveRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration store in the sidecar's heap (type {@code in-memory}): items per app, group and label,
 * with tags and a version from one counter. Unlike Layotto's in-memory store it honours group, label
 * and tags, and reports changes only (not the current values) to a new subscription.
 *
 * <p>Writes and their events happen under one lock, so every subscription sees the changes in the
 * order they were made; listeners are called on the writing thread and must not block.
 */
public final class InMemoryConfigurationStore implements ConfigurationStore {

  static final Set<ConfigurationFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.allOf(ConfigurationFeature.class));

  private static final Logger log = LoggerFactory.getLogger(InMemoryConfigurationStore.class);

  private record Scope(String appId, String group, String label) {}

  private final Object lock = new Object();
  /** Items by scope, keys sorted for whole-group reads; guarded by {@link #lock}. */
  private final Map<Scope, TreeMap<String, ConfigurationItem>> items = new HashMap<>();
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private long lastVersion;
  private String name = "in-memory";

  @Override
  public void init(Metadata metadata) {
    name = metadata.componentName();
  }

  @Override
  public Set<ConfigurationFeature> features() {
    return FEATURES;
  }

  @Override
  public List<ConfigurationItem> get(ConfigurationQuery query) {
    synchronized (lock) {
      TreeMap<String, ConfigurationItem> scope = items.get(scope(query.appId(), query.group(), query.label()));
      if (scope == null) {
        return List.of();
      }
      if (query.allKeys()) {
        return List.copyOf(scope.values());
      }
      List<ConfigurationItem> found = new ArrayList<>();
      for (String key : query.keys()) {
        ConfigurationItem item = scope.get(key);
        if (item != null) {
          found.add(item);
        }
      }
      return found;
    }
  }

  @Override
  public void save(SaveRequest request) {
    for (int i = 0; i < request.items().size(); i++) {
      if (request.items().get(i).content().isEmpty()) {
        throw ComponentException.invalidArgument("in-memory configuration store '" + name + "': items[" + i
            + "].content (key '" + request.items().get(i).key() + "') is empty");
      }
    }
    synchronized (lock) {
      for (ConfigurationItem item : request.items()) {
        ConfigurationItem stored = item.withVersion(Long.toString(++lastVersion));
        items.computeIfAbsent(scope(request.appId(), item.group(), item.label()), s -> new TreeMap<>())
            .put(item.key(), stored);
        publish(request.appId(), stored);
      }
    }
  }

  @Override
  public void delete(ConfigurationQuery query) {
    synchronized (lock) {
      Scope scope = scope(query.appId(), query.group(), query.label());
      TreeMap<String, ConfigurationItem> existing = items.get(scope);
      if (existing == null) {
        return;
      }
      for (String key : query.keys()) {
        if (existing.remove(key) != null) {
          publish(query.appId(), ConfigurationItem.deleted(key, query.group(), query.label()));
        }
      }
      if (existing.isEmpty()) {
        items.remove(scope);
      }
    }
  }

  @Override
  public ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
    Subscriber subscriber = new Subscriber(query, listener);
    subscribers.add(subscriber);
    return subscriber;
  }

  /** Called under the lock, so events leave in write order. */
  private void publish(String appId, ConfigurationItem item) {
    for (Subscriber subscriber : subscribers) {
      if (subscriber.open.get() && subscriber.query.appId().equals(appId)
          && subscriber.query.matches(item.group(), item.label(), item.key())) {
        try {
          subscriber.listener.onChange(item);
        } catch (RuntimeException e) {
          log.warn("configuration listener of store '{}' failed on key '{}'", name, item.key(), e);
        }
      }
    }
  }

  private static Scope scope(String appId, String group, String label) {
    return new Scope(appId, group, label);
  }

  @Override
  public void close() {
    subscribers.forEach(Subscriber::close);
    synchronized (lock) {
      items.clear();
    }
  }

  private final class Subscriber implements ConfigurationSubscription {
    private final ConfigurationQuery query;
    private final ConfigurationListener listener;
    private final AtomicBoolean open = new AtomicBoolean(true);

    Subscriber(ConfigurationQuery query, ConfigurationListener listener) {
      this.query = query;
      this.listener = listener;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        // under the lock: once close returns, no event of this subscription is being delivered
        synchronized (lock) {
          subscribers.remove(this);
        }
      }
    }
  }
}
