package io.layotto.components.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Context;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.layotto.spi.configuration.SaveRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration store on etcd v3 (type {@code etcd}, jetcd). Layout: one key per item,
 * {@code <keyPrefixPath><app>/<group>/<label>/<key>} with every part URL-encoded (so {@code /} in a
 * name stays unambiguous), value {@code {"content": ..., "tags": {...}}}; the version is the key's
 * mod revision. Saves and deletes are one transaction each. A subscription reads its items, then
 * watches the group and label's prefix from the revision of that read, so it sees every later
 * change exactly once and in order; jetcd resumes the watch from the last revision after a lost
 * connection or an etcd restart. If etcd compacted that revision away, the subscription re-reads
 * its items, reports what changed and watches again.
 */
public final class EtcdConfigurationStore implements ConfigurationStore {

  static final Set<ConfigurationFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.allOf(ConfigurationFeature.class));

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Logger log = LoggerFactory.getLogger(EtcdConfigurationStore.class);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REWATCH_DELAY = Duration.ofMillis(500);

  private volatile @Nullable Client client;
  private volatile @Nullable EtcdSettings settings;
  private String name = "etcd";
  /** Watch callbacks run here, one at a time, so each subscription gets its events in order. */
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor(
      Thread.ofPlatform().daemon().name("etcd-config-watch").factory());
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("etcd-config-retry").factory());

  @Override
  public Set<ConfigurationFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    name = metadata.componentName();
    EtcdSettings s = EtcdSettings.from(metadata);
    ClientBuilder builder = Client.builder().endpoints(s.endpoints().toArray(String[]::new))
        .connectTimeout(s.dialTimeout()).executorService(callbacks)
        // fail at once while etcd is unreachable, and never retry a request after the caller was
        // told it failed: a late retried save could overwrite a newer value
        .waitForReady(false).retryMaxDuration(s.requestTimeout());
    if (s.username() != null && s.password() != null) {
      builder.user(bytes(s.username())).password(bytes(s.password()));
    }
    Client c = builder.build();
    try {
      await(c.getKVClient().get(bytes(s.keyPrefix()), GetOption.builder().withCountOnly(true).build()),
          s.dialTimeout().plus(s.requestTimeout()), "first read", s);
    } catch (ComponentException e) {
      c.close();
      throw new ComponentException(e.kind(), "etcd configuration store '" + name + "' cannot use endpoints "
          + s.endpoints() + ": " + e.getMessage(), e);
    }
    client = c;
    settings = s;
    log.info("etcd configuration store '{}' connected: {}", name, s);
  }

  @Override
  public Health checkHealth() {
    Client c = client;
    EtcdSettings s = settings;
    if (c == null || s == null) {
      return Health.down("etcd configuration store is not initialised");
    }
    try {
      await(c.getKVClient().get(bytes(s.keyPrefix()), GetOption.builder().withCountOnly(true).build()),
          HEALTH_TIMEOUT, "health check", s);
      return Health.up();
    } catch (ComponentException e) {
      return Health.down(e.getMessage());
    }
  }

  // ------------------------------------------------------------------ reads and writes

  @Override
  public List<ConfigurationItem> get(ConfigurationQuery query) {
    return read(query).items();
  }

  private record Snapshot(List<ConfigurationItem> items, long revision) {}

  private Snapshot read(ConfigurationQuery query) {
    Client c = client();
    EtcdSettings s = settings();
    String scope = scopePrefix(s, query.appId(), query.group(), query.label());
    if (query.allKeys()) {
      GetResponse response = await(c.getKVClient().get(bytes(scope), GetOption.builder().isPrefix(true).build()),
          s.requestTimeout(), "read of " + describe(query), s);
      List<ConfigurationItem> items = new ArrayList<>();
      for (KeyValue kv : response.getKvs()) {
        ConfigurationItem item = item(kv, scope, query.group(), query.label());
        if (item != null) {
          items.add(item);
        }
      }
      items.sort(Comparator.comparing(ConfigurationItem::key));
      return new Snapshot(items, response.getHeader().getRevision());
    }
    Op[] gets = query.keys().stream().map(k -> Op.get(bytes(scope + encode(k)), GetOption.DEFAULT)).toArray(Op[]::new);
    TxnResponse response = await(c.getKVClient().txn().Then(gets).commit(), s.requestTimeout(),
        "read of " + describe(query), s);
    List<ConfigurationItem> items = new ArrayList<>();
    for (GetResponse get : response.getGetResponses()) {
      for (KeyValue kv : get.getKvs()) {
        ConfigurationItem item = item(kv, scope, query.group(), query.label());
        if (item != null) {
          items.add(item);
        }
      }
    }
    return new Snapshot(items, response.getHeader().getRevision());
  }

  @Override
  public void save(SaveRequest request) {
    Client c = client();
    EtcdSettings s = settings();
    List<Op> puts = new ArrayList<>();
    for (int i = 0; i < request.items().size(); i++) {
      ConfigurationItem item = request.items().get(i);
      if (item.content().isEmpty()) {
        throw ComponentException.invalidArgument("items[" + i + "].content (key '" + item.key() + "') is empty");
      }
      ObjectNode value = JSON.createObjectNode().put("content", item.content());
      ObjectNode tags = value.putObject("tags");
      new TreeMap<>(item.tags()).forEach(tags::put);
      puts.add(Op.put(bytes(scopePrefix(s, request.appId(), item.group(), item.label()) + encode(item.key())),
          ByteSequence.from(value.toString(), StandardCharsets.UTF_8), PutOption.DEFAULT));
    }
    if (puts.isEmpty()) {
      return;
    }
    await(c.getKVClient().txn().Then(puts.toArray(Op[]::new)).commit(), s.requestTimeout(),
        "save of " + request.items().size() + " item(s) of app '" + request.appId() + "'", s);
  }

  @Override
  public void delete(ConfigurationQuery query) {
    if (query.keys().isEmpty()) {
      return;
    }
    Client c = client();
    EtcdSettings s = settings();
    String scope = scopePrefix(s, query.appId(), query.group(), query.label());
    Op[] deletes = query.keys().stream().map(k -> Op.delete(bytes(scope + encode(k)), DeleteOption.DEFAULT))
        .toArray(Op[]::new);
    await(c.getKVClient().txn().Then(deletes).commit(), s.requestTimeout(), "delete of " + describe(query), s);
  }

  // ------------------------------------------------------------------ subscriptions

  @Override
  public ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
    Subscription subscription = new Subscription(query, listener);
    subscription.start(read(query));
    return subscription;
  }

  /** One subscription: the last reported value per key, and a watch from the revision after them. */
  private final class Subscription implements ConfigurationSubscription {
    private final ConfigurationQuery query;
    private final ConfigurationListener listener;
    private final Map<String, ConfigurationItem> known = new LinkedHashMap<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private Watch.@Nullable Watcher watcher;
    /** The first revision not yet reported: a broken watch resumes here. */
    private long nextRevision;

    Subscription(ConfigurationQuery query, ConfigurationListener listener) {
      this.query = query;
      this.listener = listener;
    }

    /** Remembers the snapshot as reported and watches every revision after it. */
    synchronized void start(Snapshot snapshot) {
      known.clear();
      snapshot.items().forEach(item -> known.put(item.key(), item));
      nextRevision = snapshot.revision() + 1;
      watchFrom(nextRevision);
    }

    private void watchFrom(long revision) {
      EtcdSettings s = settings();
      String scope = scopePrefix(s, query.appId(), query.group(), query.label());
      WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision).build();
      // jetcd carries all watches on one stream: started under a subscriber's gRPC call, it would be
      // cancelled with that call, so it starts in the root context and lives until close()
      Context caller = Context.ROOT.attach();
      try {
        watcher = client().getWatchClient().watch(bytes(scope), option,
            Watch.listener(response -> onEvents(response, scope), this::onWatchError));
      } finally {
        Context.ROOT.detach(caller);
      }
    }

    private synchronized void onEvents(WatchResponse response, String scope) {
      if (!open.get()) {
        return;
      }
      for (WatchEvent event : response.getEvents()) {
        nextRevision = Math.max(nextRevision, event.getKeyValue().getModRevision() + 1);
        // keys of the scope are one encoded segment; deeper keys belong to no item
        String key = decode(event.getKeyValue().getKey().toString(StandardCharsets.UTF_8).substring(scope.length()));
        if (key == null || !query.allKeys() && !query.keys().contains(key)) {
          continue;
        }
        if (event.getEventType() == WatchEvent.EventType.DELETE) {
          known.remove(key);
          report(ConfigurationItem.deleted(key, query.group(), query.label()));
        } else if (event.getEventType() == WatchEvent.EventType.PUT) {
          ConfigurationItem item = item(event.getKeyValue(), scope, query.group(), query.label());
          if (item != null) {
            known.put(key, item);
            report(item);
          }
        }
      }
    }

    /**
     * The watch broke (etcd unreachable or restarted): watch again from the first revision not yet
     * reported, so nothing is missed; if etcd compacted that revision away, re-read and report the
     * differences instead.
     */
    private void onWatchError(Throwable error) {
      if (!open.get()) {
        return;
      }
      boolean compacted = error instanceof io.etcd.jetcd.common.exception.CompactedException
          || String.valueOf(error.getMessage()).contains("compacted");
      log.debug("etcd configuration store '{}': a watch failed ({}); {}", name, error.getMessage(),
          compacted ? "re-reading and watching again" : "resuming");
      retries.schedule(compacted ? this::rewatch : this::resume, REWATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void resume() {
      if (!open.get()) {
        return;
      }
      closeWatcher();
      try {
        watchFrom(nextRevision);
      } catch (RuntimeException e) {
        retries.schedule(this::resume, REWATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    private void rewatch() {
      if (!open.get()) {
        return;
      }
      Snapshot snapshot;
      try {
        snapshot = read(query);
      } catch (RuntimeException e) {
        retries.schedule(this::rewatch, REWATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      synchronized (this) {
        closeWatcher();
        Map<String, ConfigurationItem> now = new LinkedHashMap<>();
        snapshot.items().forEach(item -> now.put(item.key(), item));
        for (String key : List.copyOf(known.keySet())) {
          if (!now.containsKey(key)) {
            known.remove(key);
            report(ConfigurationItem.deleted(key, query.group(), query.label()));
          }
        }
        for (ConfigurationItem item : now.values()) {
          ConfigurationItem previous = known.put(item.key(), item);
          if (previous == null || !previous.equals(item)) {
            report(item);
          }
        }
        nextRevision = snapshot.revision() + 1;
        watchFrom(nextRevision);
      }
    }

    private void report(ConfigurationItem item) {
      try {
        listener.onChange(item);
      } catch (RuntimeException e) {
        log.warn("etcd configuration store '{}': a listener failed on key '{}'", name, item.key(), e);
      }
    }

    private void closeWatcher() {
      Watch.@Nullable Watcher w = watcher;
      watcher = null;
      if (w != null) {
        try {
          w.close();
        } catch (RuntimeException e) {
          log.debug("closing a watch failed", e);
        }
      }
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        synchronized (this) {
          closeWatcher();
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String scopePrefix(EtcdSettings s, String appId, String group, String label) {
    return s.keyPrefix() + encode(appId) + "/" + encode(group) + "/" + encode(label) + "/";
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8);
  }

  private static @Nullable String decode(String encoded) {
    if (encoded.contains("/")) {
      return null;
    }
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The item a key-value holds; null for a key of this scope that is no item (nested, not our JSON). */
  private @Nullable ConfigurationItem item(KeyValue kv, String scope, String group, String label) {
    String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(scope.length());
    String key = decode(rest);
    if (key == null || key.isEmpty()) {
      return null;
    }
    String content;
    Map<String, String> tags = new TreeMap<>();
    try {
      JsonNode value = JSON.readTree(kv.getValue().getBytes());
      if (value == null || !value.isObject() || !value.path("content").isTextual()) {
        // written by another tool: the raw value is the content
        content = kv.getValue().toString(StandardCharsets.UTF_8);
      } else {
        content = value.path("content").asText();
        value.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
      }
    } catch (IOException e) {
      content = kv.getValue().toString(StandardCharsets.UTF_8);
    }
    if (content.isEmpty()) {
      return null;
    }
    return new ConfigurationItem(key, content, group, label, tags, Long.toString(kv.getModRevision()));
  }

  private static String describe(ConfigurationQuery query) {
    return (query.allKeys() ? "all keys" : query.keys().size() == 1 ? "key '" + query.keys().getFirst() + "'"
        : query.keys().size() + " keys") + " of group '" + query.group() + "' label '" + query.label()
        + "' of app '" + query.appId() + "'";
  }

  private static <T> T await(CompletableFuture<T> reply, Duration timeout, String doing, EtcdSettings s) {
    return EtcdReplies.await(reply, timeout, s.endpoints(), doing);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private Client client() {
    Client c = client;
    if (c == null) {
      throw ComponentException.internal("etcd configuration store '" + name + "' is not initialised", null);
    }
    return c;
  }

  private EtcdSettings settings() {
    EtcdSettings s = settings;
    if (s == null) {
      throw ComponentException.internal("etcd configuration store '" + name + "' is not initialised", null);
    }
    return s;
  }

  @Override
  public synchronized void close() {
    Client c = client;
    client = null;
    if (c != null) {
      try {
        c.close();
      } catch (RuntimeException e) {
        log.debug("closing the etcd client failed", e);
      }
    }
    retries.shutdownNow();
    callbacks.shutdownNow();
  }
}
