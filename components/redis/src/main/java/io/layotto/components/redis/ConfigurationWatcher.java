package io.layotto.components.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.layotto.spi.ComponentException;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what Redis publishes into the change events of the store's subscriptions. One pub/sub
 * connection per store listens to
 * <ul>
 *   <li>the change channel, where every save and delete made through Layotto is published with its
 *       content and version (so a burst of writes is reported change by change), and</li>
 *   <li>the keyspace notifications of every name under the prefix (unless {@code keyspaceEvents} is
 *       {@code off}), which reveal changes made outside Layotto; the changed item is then read.</li>
 * </ul>
 * A write through Layotto publishes its change message before touching the item, so on this
 * connection the message precedes the item's own notification; the watcher counts the messages per
 * item and skips as many notifications, so only foreign changes cause a read.
 *
 * <p>Everything runs on one dispatcher thread, in arrival order, which keeps events in change order.
 * Each subscription remembers the last value it reported per item and reports an item only when it
 * differs (newer version or other value). When the connection comes back after an outage (Lettuce
 * subscribes again by itself), the watcher makes sure keyspace notifications are still enabled (a
 * restarted Redis forgets CONFIG SET) and re-reads every subscription's items, reporting those that
 * changed meanwhile: the final value of an item is never missed.
 */
final class ConfigurationWatcher implements AutoCloseable {

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Logger log = LoggerFactory.getLogger(ConfigurationWatcher.class);
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_RECOVERY_PAUSE = Duration.ofSeconds(2);

  private final RedisEndpoint endpoint;
  private final ConfigurationCommands commands;
  private final ConfigurationLayout layout;
  private final KeyspaceEvents.Mode keyspaceMode;
  private final StatefulRedisPubSubConnection<String, byte[]> connection;
  private final ExecutorService dispatcher;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  /** Change messages whose keyspace notification has not come yet, per item name; dispatcher only. */
  private final Map<String, Integer> ownChanges = new HashMap<>();
  /** Confirmations of the subscription that triggers recovery; the first is the initial one. */
  private final AtomicInteger confirmations = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable String problem;

  private ConfigurationWatcher(RedisEndpoint endpoint, ConfigurationCommands commands, KeyspaceEvents.Mode mode,
      String component) {
    this.endpoint = endpoint;
    this.commands = commands;
    this.layout = commands.layout();
    this.keyspaceMode = mode;
    this.connection = endpoint.openPubSubConnection();
    this.dispatcher = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().daemon().name("redis-config-" + component).factory());
  }

  /** Subscribes the change channel and the keyspace pattern and returns once Redis confirmed both. */
  static ConfigurationWatcher start(RedisEndpoint endpoint, ConfigurationCommands commands, KeyspaceEvents.Mode mode,
      String component) {
    ConfigurationWatcher watcher = new ConfigurationWatcher(endpoint, commands, mode, component);
    try {
      watcher.connection.addListener(watcher.new Listener());
      watcher.subscribeChannels();
      return watcher;
    } catch (RuntimeException e) {
      watcher.close();
      throw e;
    }
  }

  private void subscribeChannels() {
    endpoint.await(connection.async().subscribe(layout.changeChannel()).toCompletableFuture(),
        "SUBSCRIBE " + layout.changeChannel());
    if (keyspaceMode != KeyspaceEvents.Mode.OFF) {
      endpoint.await(connection.async().psubscribe(layout.keyspacePattern()).toCompletableFuture(),
          "PSUBSCRIBE " + layout.keyspacePattern());
    }
  }

  /**
   * Takes a baseline of the query's items (not reported) and starts reporting their changes. Runs
   * on the dispatcher so no message is handled between the baseline read and the registration.
   */
  ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
    Watch watch = new Watch(query, listener);
    Future<?> registered;
    try {
      registered = dispatcher.submit(() -> {
        for (ConfigurationItem item : commands.get(query)) {
          watch.known.put(item.key(), item);
        }
        watches.add(watch);
      });
    } catch (RejectedExecutionException e) {
      throw ComponentException.unavailable(endpoint.description() + " is closed", e);
    }
    try {
      registered.get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      watch.close();
      throw ComponentException.unavailable(endpoint.description() + ": subscribing was interrupted", e);
    } catch (TimeoutException e) {
      watch.close();
      throw ComponentException.unavailable(endpoint.description() + ": subscribing did not finish within "
          + SETUP_TIMEOUT.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      watch.close();
      throw e.getCause() instanceof ComponentException ce ? ce
          : ComponentException.internal(endpoint.description() + ": subscribing failed: " + e.getCause(), e.getCause());
    }
    return watch;
  }

  /** Null while everything works; otherwise why changes made outside Layotto may go unseen. */
  @Nullable String problem() {
    return connection.isOpen() ? problem : "the pub/sub connection to redis at " + endpoint.address()
        + " is down; reconnecting";
  }

  private void dispatch(Runnable task) {
    try {
      dispatcher.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("{}: handling a configuration change failed: {}", endpoint.description(), e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** A change made through Layotto, as the write script published it. */
  private void onChangeMessage(byte[] message) {
    JsonNode change;
    try {
      change = JSON.readTree(message);
    } catch (IOException e) {
      log.warn("{}: ignoring a malformed message on {}: {}", endpoint.description(), layout.changeChannel(),
          e.getMessage());
      return;
    }
    String appId = change.path("app").asText();
    String group = change.path("group").asText();
    String label = change.path("label").asText();
    String key = change.path("key").asText();
    if (keyspaceMode != KeyspaceEvents.Mode.OFF) {
      ownChanges.merge(layout.itemKey(appId, group, label, key), 1, Integer::sum);
    }
    ConfigurationItem item = change.path("deleted").asBoolean(false)
        ? ConfigurationItem.deleted(key, group, label)
        : new ConfigurationItem(key, change.path("content").asText(), group, label,
            ConfigurationCommands.parseTags(change.path("tags").asText(), key), change.path("version").asText());
    for (Watch watch : watches) {
      watch.offer(appId, item, true);
    }
  }

  /** Something happened to a name under the prefix; unless it is the echo of an own write, read it. */
  private void onKeyspaceEvent(String channel) {
    ConfigurationLayout.ItemId id = layout.itemOfKeyspaceChannel(channel);
    if (id == null) {
      return; // an index set, or a name of another layout
    }
    String name = layout.itemKey(id.appId(), id.group(), id.label(), id.key());
    Integer own = ownChanges.get(name);
    if (own != null) {
      if (own == 1) {
        ownChanges.remove(name);
      } else {
        ownChanges.put(name, own - 1);
      }
      return;
    }
    List<Watch> interested = watches.stream().filter(w -> w.covers(id)).toList();
    if (interested.isEmpty()) {
      return;
    }
    List<ConfigurationItem> read = commands.get(ConfigurationQuery.of(id.appId(), id.group(), id.label(), id.key()));
    ConfigurationItem item = read.isEmpty() ? ConfigurationItem.deleted(id.key(), id.group(), id.label())
        : read.getFirst();
    for (Watch watch : interested) {
      watch.offer(id.appId(), item, false);
    }
  }

  /**
   * After Lettuce subscribed again following a reconnect: keyspace notifications enabled again,
   * every subscription's items re-read. Retries until it succeeds or the store closes.
   */
  private void recover() {
    Duration pause = Duration.ofMillis(50);
    while (!closed.get()) {
      try {
        KeyspaceEvents.ensure(endpoint, keyspaceMode);
        problem = null;
        ownChanges.clear();
        for (Watch watch : watches) {
          watch.resync(commands.get(watch.query));
        }
        log.info("{}: subscriptions re-established after a reconnect; {} subscription(s) re-read",
            endpoint.description(), watches.size());
        return;
      } catch (ComponentException e) {
        if (e.kind() != ComponentException.Kind.UNAVAILABLE) {
          // keyspace notifications could not be enabled again: own changes still flow, foreign ones may not
          problem = e.getMessage();
          log.error("{}", e.getMessage());
          return;
        }
        log.debug("{}: recovery after a reconnect failed, retrying: {}", endpoint.description(), e.getMessage());
      }
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      pause = pause.multipliedBy(2).compareTo(MAX_RECOVERY_PAUSE) > 0 ? MAX_RECOVERY_PAUSE : pause.multipliedBy(2);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watches.forEach(Watch::close);
    try {
      connection.close();
    } catch (RuntimeException e) {
      log.debug("closing the pub/sub connection of {} failed", endpoint.description(), e);
    }
    dispatcher.shutdownNow();
    try {
      dispatcher.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pub/sub callbacks come on Lettuce's event loop: they only hand over to the dispatcher. */
  private final class Listener extends RedisPubSubAdapter<String, byte[]> {

    @Override
    public void message(String channel, byte[] message) {
      if (channel.equals(layout.changeChannel())) {
        dispatch(() -> onChangeMessage(message));
      }
    }

    @Override
    public void message(String pattern, String channel, byte[] message) {
      dispatch(() -> onKeyspaceEvent(channel));
    }

    /**
     * Redis confirms subscriptions at start and again each time Lettuce resubscribes after a
     * reconnect. The last one to come back (the keyspace pattern, unless keyspace events are off)
     * starts the recovery: a change message lost before the change channel was back is made up for
     * by the item's keyspace notification, which then finds no message to pair with and is read.
     */
    @Override
    public void subscribed(String channel, long count) {
      if (keyspaceMode == KeyspaceEvents.Mode.OFF) {
        confirmed();
      }
    }

    @Override
    public void psubscribed(String pattern, long count) {
      confirmed();
    }

    private void confirmed() {
      if (confirmations.incrementAndGet() > 1) {
        dispatch(ConfigurationWatcher.this::recover);
      }
    }
  }

  /** One subscription and the last value it reported (or saw at its start) per key. */
  private final class Watch implements ConfigurationSubscription {

    private final ConfigurationQuery query;
    private final ConfigurationListener listener;
    /** Dispatcher thread only. */
    private final Map<String, ConfigurationItem> known = new LinkedHashMap<>();
    private final AtomicBoolean open = new AtomicBoolean(true);

    Watch(ConfigurationQuery query, ConfigurationListener listener) {
      this.query = query;
      this.listener = listener;
    }

    boolean covers(ConfigurationLayout.ItemId id) {
      return query.appId().equals(id.appId()) && query.matches(id.group(), id.label(), id.key());
    }

    /**
     * @param published true for a change message (its version orders it), false for a value read
     *     from Redis (the current value, reported whenever it differs)
     */
    void offer(String appId, ConfigurationItem item, boolean published) {
      if (!open.get() || !query.appId().equals(appId) || !query.matches(item.group(), item.label(), item.key())) {
        return;
      }
      ConfigurationItem previous = known.get(item.key());
      if (item.isDeleted()) {
        if (previous == null) {
          return;
        }
        known.remove(item.key());
      } else {
        if (previous != null && previous.sameValue(item) && previous.version().equals(item.version())) {
          return;
        }
        if (published && previous != null && isOlder(item.version(), previous.version())) {
          return; // a re-read after a reconnect already reported something newer
        }
        known.put(item.key(), item);
      }
      deliver(item);
    }

    /** Reports what differs between the last reported values and {@code current}. */
    void resync(List<ConfigurationItem> current) {
      Map<String, ConfigurationItem> now = new LinkedHashMap<>();
      current.forEach(item -> now.put(item.key(), item));
      for (String key : List.copyOf(known.keySet())) {
        if (!now.containsKey(key)) {
          offer(query.appId(), ConfigurationItem.deleted(key, query.group(), query.label()), false);
        }
      }
      for (ConfigurationItem item : now.values()) {
        offer(query.appId(), item, false);
      }
    }

    private void deliver(ConfigurationItem item) {
      try {
        listener.onChange(item);
      } catch (RuntimeException e) {
        log.warn("{}: a configuration listener failed on key '{}'", endpoint.description(), item.key(), e);
      }
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        watches.remove(this);
      }
    }
  }

  private static boolean isOlder(String version, String than) {
    try {
      return Long.parseLong(version) < Long.parseLong(than);
    } catch (NumberFormatException e) {
      return false;
    }
  }

}
