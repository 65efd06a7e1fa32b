package io.layotto.components.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration store type {@code zookeeper}. Each item is a persistent znode
 * {@code <keyPrefixPath>/<appId>/<group>/<label>/<key>} (each part percent-encoded, see
 * {@link ZnodeNames}) holding {@code {"content": ..., "tags": {...}}}; its version is the znode's
 * version.
 *
 * <p>ZooKeeper watches are one-shot and coalesce fast successive changes, so watching the item
 * nodes alone would lose intermediate values. Every save and delete therefore also appends, in the
 * same multi-op transaction, a persistent-sequential entry to the change log
 * {@code <keyPrefixPath>/<appId>/<group>/<label>/.changes} (no encoded key can start with '.').
 * A subscription watches the children of that log and reads the entries after the last one it
 * reported, in sequence order: every change arrives once and in order, however fast they come, and
 * after a lost connection, an expired session or a server restart it simply continues from its
 * last entry. The log keeps the last {@value #LOG_KEEP} entries per group and label; a subscriber
 * that fell further behind re-reads its items and reports those whose value differs from what it
 * reported last (the final value is never missed).
 */
public final class ZookeeperConfigurationStore implements ConfigurationStore {

  static final Set<ConfigurationFeature> FEATURES =
      Collections.unmodifiableSet(EnumSet.allOf(ConfigurationFeature.class));
  static final String DEFAULT_BASE_PATH = "/layotto/config";
  static final String LOG_NODE = ".changes";
  static final int LOG_KEEP = 1000;
  private static final int PRUNE_EVERY = 100;
  private static final int MAX_ATTEMPTS = 50;
  private static final long RETRY_DELAY_MS = 500;
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Logger LOG = LoggerFactory.getLogger(ZookeeperConfigurationStore.class);

  private volatile @Nullable ZookeeperClient client;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  /** Polls run here, one at a time, so each subscription's listener is never called concurrently. */
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("zookeeper-config-watch").factory());

  @Override
  public Set<ConfigurationFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (client != null) {
      throw ComponentException.internal("zookeeper configuration store '" + metadata.componentName()
          + "' is already initialised", null);
    }
    ZookeeperClient c = ZookeeperClient.open("zookeeper configuration store", metadata.componentName(),
        ZookeeperSettings.from(metadata, DEFAULT_BASE_PATH));
    // watches are lost with an expired session, and polls may have failed while disconnected
    c.curator().getConnectionStateListenable().addListener((cf, state) -> {
      if (state == ConnectionState.RECONNECTED) {
        subscriptions.forEach(Subscription::schedule);
      }
    });
    client = c;
  }

  private ZookeeperClient client() {
    ZookeeperClient c = client;
    if (c == null) {
      throw ComponentException.internal("zookeeper configuration store is not initialised", null);
    }
    return c;
  }

  @Override
  public Health checkHealth() {
    ZookeeperClient c = client;
    return c == null ? Health.down("zookeeper configuration store is not initialised") : c.health();
  }

  // ------------------------------------------------------------------ layout

  private String labelDir(String appId, String group, String label) {
    return client().settings().basePath() + "/" + ZnodeNames.encode(appId) + "/" + ZnodeNames.encode(group)
        + "/" + ZnodeNames.encode(label);
  }

  private static String logDir(String labelDir) {
    return labelDir + "/" + LOG_NODE;
  }

  private static long sequenceOf(String entryName) {
    return Long.parseLong(entryName.substring(entryName.lastIndexOf('-') + 1));
  }

  private void ensureDirs(CuratorFramework zk, String labelDir) throws Exception {
    try {
      zk.create().creatingParentsIfNeeded().forPath(logDir(labelDir));
    } catch (KeeperException.NodeExistsException alreadyThere) {
      // made by an earlier save or subscription
    }
  }

  // ------------------------------------------------------------------ reads

  @Override
  public List<ConfigurationItem> get(ConfigurationQuery query) {
    ZookeeperClient c = client();
    return c.call("reading configuration of app '" + query.appId() + "'", () -> read(c.curator(), query));
  }

  private List<ConfigurationItem> read(CuratorFramework zk, ConfigurationQuery query) throws Exception {
    String dir = labelDir(query.appId(), query.group(), query.label());
    List<String> keys;
    if (query.allKeys()) {
      List<String> names;
      try {
        names = zk.getChildren().forPath(dir);
      } catch (KeeperException.NoNodeException none) {
        return List.of();
      }
      keys = names.stream().filter(n -> !n.startsWith("."))
          .map(n -> URLDecoder.decode(n, StandardCharsets.UTF_8)).sorted().toList();
    } else {
      keys = query.keys();
    }
    List<ConfigurationItem> items = new ArrayList<>();
    for (String key : keys) {
      String path = dir + "/" + ZnodeNames.encode(key);
      Stat stat = new Stat();
      byte[] data;
      try {
        data = zk.getData().storingStatIn(stat).forPath(path);
      } catch (KeeperException.NoNodeException none) {
        continue;
      }
      JsonNode value = parse(path, data);
      items.add(new ConfigurationItem(key, value.path("content").asText(""), query.group(), query.label(),
          tags(value), Integer.toString(stat.getVersion())));
    }
    return items;
  }

  private static JsonNode parse(String path, byte[] data) {
    try {
      JsonNode node = JSON.readTree(data);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (java.io.IOException e) {
      // reported below
    }
    throw ComponentException.internal("znode " + path + " holds no configuration item JSON {content, tags}", null);
  }

  private static Map<String, String> tags(JsonNode value) {
    Map<String, String> tags = new TreeMap<>();
    value.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
    return tags;
  }

  private static byte[] itemJson(ConfigurationItem item) {
    ObjectNode node = JSON.createObjectNode().put("content", item.content());
    ObjectNode tags = node.putObject("tags");
    item.tags().forEach(tags::put);
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A change-log entry: the item as reported to subscribers (empty content for a deletion). */
  private static byte[] logJson(String key, String content, Map<String, String> tagMap, String version) {
    ObjectNode node = JSON.createObjectNode().put("key", key).put("content", content).put("version", version);
    ObjectNode tags = node.putObject("tags");
    tagMap.forEach(tags::put);
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void save(SaveRequest request) {
    ZookeeperClient c = client();
    // one item per znode: the last of duplicates in a batch wins
    Map<String, ConfigurationItem> byPath = new LinkedHashMap<>();
    for (ConfigurationItem item : request.items()) {
      byPath.put(labelDir(request.appId(), item.group(), item.label()) + "/" + ZnodeNames.encode(item.key()), item);
    }
    if (byPath.isEmpty()) {
      return;
    }
    c.call("saving configuration of app '" + request.appId() + "'", () -> {
      CuratorFramework zk = c.curator();
      Set<String> dirs = new HashSet<>();
      for (ConfigurationItem item : byPath.values()) {
        dirs.add(labelDir(request.appId(), item.group(), item.label()));
      }
      for (String dir : dirs) {
        ensureDirs(zk, dir);
      }
      for (int attempt = 1; ; attempt++) {
        List<CuratorOp> ops = new ArrayList<>();
        for (Map.Entry<String, ConfigurationItem> e : byPath.entrySet()) {
          ConfigurationItem item = e.getValue();
          String path = e.getKey();
          Stat stat = zk.checkExists().forPath(path);
          int newVersion;
          if (stat == null) {
            ops.add(zk.transactionOp().create().forPath(path, itemJson(item)));
            newVersion = 0;
          } else {
            ops.add(zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, itemJson(item)));
            newVersion = stat.getVersion() + 1;
          }
          String log = logDir(labelDir(request.appId(), item.group(), item.label()));
          ops.add(zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
              .forPath(log + "/c-", logJson(item.key(), item.content(), item.tags(), Integer.toString(newVersion))));
        }
        if (commit(zk, ops, attempt)) {
          return null;
        }
      }
    });
  }

  @Override
  public void delete(ConfigurationQuery query) {
    ZookeeperClient c = client();
    String dir = labelDir(query.appId(), query.group(), query.label());
    c.call("deleting configuration of app '" + query.appId() + "'", () -> {
      CuratorFramework zk = c.curator();
      for (int attempt = 1; ; attempt++) {
        List<CuratorOp> ops = new ArrayList<>();
        for (String key : new LinkedHashSet<>(query.keys())) {
          String path = dir + "/" + ZnodeNames.encode(key);
          Stat stat = zk.checkExists().forPath(path);
          if (stat != null) {
            ops.add(zk.transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
            ops.add(zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(logDir(dir) + "/c-", logJson(key, "", Map.of(), "")));
          }
        }
        if (ops.isEmpty()) {
          return null;
        }
        if (attempt == 1) {
          ensureDirs(zk, dir); // a log made by hand-created items may be missing
        }
        if (commit(zk, ops, attempt)) {
          return null;
        }
      }
    });
  }

  /**
   * Runs the transaction; false when another client changed one of the items in between (the
   * caller re-reads the versions and tries again). Prunes the logs that reached a multiple of
   * {@link #PRUNE_EVERY} entries.
   */
  private boolean commit(CuratorFramework zk, List<CuratorOp> ops, int attempt) throws Exception {
    List<CuratorTransactionResult> results;
    try {
      results = zk.transaction().forOperations(ops);
    } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
             | KeeperException.NoNodeException conflict) {
      if (attempt >= MAX_ATTEMPTS) {
        throw ComponentException.unavailable("gave up after " + attempt
            + " attempts: other clients kept changing the same items (" + conflict.code() + ")", conflict);
      }
      return false;
    }
    for (CuratorTransactionResult result : results) {
      String created = result.getResultPath();
      if (result.getType() == OperationType.CREATE && created != null && created.contains("/" + LOG_NODE + "/")
          && sequenceOf(created) % PRUNE_EVERY == 0) {
        prune(zk, created.substring(0, created.lastIndexOf('/')), sequenceOf(created));
      }
    }
    return true;
  }

  /** Deletes the entries older than the last {@link #LOG_KEEP}, recording the highest one in the log node. */
  private static void prune(CuratorFramework zk, String log, long newest) {
    try {
      long limit = newest - LOG_KEEP;
      for (String name : zk.getChildren().forPath(log)) {
        long seq = sequenceOf(name);
        if (seq <= limit) {
          // record first, so that no subscriber can miss entries without noticing
          raisePrunedMark(zk, log, seq);
          try {
            zk.delete().forPath(log + "/" + name);
          } catch (KeeperException.NoNodeException gone) {
            // pruned by another client
          }
        }
      }
    } catch (Exception e) {
      LOG.debug("pruning change log {} failed; the next save retries", log, e);
    }
  }

  private static void raisePrunedMark(CuratorFramework zk, String log, long seq) throws Exception {
    while (true) {
      Stat stat = new Stat();
      long current = prunedMark(zk.getData().storingStatIn(stat).forPath(log));
      if (current >= seq) {
        return;
      }
      try {
        zk.setData().withVersion(stat.getVersion()).forPath(log, Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        return;
      } catch (KeeperException.BadVersionException raced) {
        // another pruner moved it; read again
      }
    }
  }

  private static long prunedMark(byte @Nullable [] data) {
    if (data == null || data.length == 0) {
      return -1;
    }
    try {
      return Long.parseLong(new String(data, StandardCharsets.US_ASCII).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ subscriptions

  @Override
  public ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
    ZookeeperClient c = client();
    Subscription subscription = new Subscription(query, listener, labelDir(query.appId(), query.group(), query.label()));
    c.call("subscribing to configuration of app '" + query.appId() + "'", () -> {
      subscription.start(c.curator());
      return null;
    });
    subscriptions.add(subscription);
    return subscription;
  }

  private final class Subscription implements ConfigurationSubscription {

    private final ConfigurationQuery query;
    private final ConfigurationListener listener;
    private final String labelDir;
    private final String log;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final CuratorWatcher watcher = event -> schedule();
    /** Last reported (or, at start, current) value per key; confined to the poller after start. */
    private final Map<String, ConfigurationItem> lastReported = new HashMap<>();
    private long lastSeq = -1;
    private boolean resync;
    private volatile boolean closed;

    Subscription(ConfigurationQuery query, ConfigurationListener listener, String labelDir) {
      this.query = query;
      this.listener = listener;
      this.labelDir = labelDir;
      this.log = logDir(labelDir);
    }

    synchronized void start(CuratorFramework zk) throws Exception {
      ensureDirs(zk, labelDir);
      // watch first: a change after this listing fires the watch and is read from the log
      for (String name : zk.getChildren().usingWatcher(watcher).forPath(log)) {
        lastSeq = Math.max(lastSeq, sequenceOf(name));
      }
      for (ConfigurationItem item : read(zk, query)) {
        lastReported.put(item.key(), item);
      }
    }

    void schedule() {
      if (!closed && pending.compareAndSet(false, true)) {
        submit(0);
      }
    }

    private void submit(long delayMs) {
      try {
        poller.schedule(this::poll, delayMs, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException shutDown) {
        // the store is closed
      }
    }

    private synchronized void poll() {
      pending.set(false);
      if (closed) {
        return;
      }
      ZookeeperClient c = client;
      if (c == null) {
        return;
      }
      try {
        CuratorFramework zk = c.curator();
        Stat logStat = new Stat();
        long pruned = prunedMark(zk.getData().storingStatIn(logStat).forPath(log));
        List<Long> sequences = new ArrayList<>();
        for (String name : zk.getChildren().usingWatcher(watcher).forPath(log)) {
          long seq = sequenceOf(name);
          if (seq > lastSeq) {
            sequences.add(seq);
          }
        }
        Collections.sort(sequences);
        if (resync || pruned > lastSeq) {
          resync(zk, sequences.isEmpty() ? lastSeq : sequences.getLast());
          return;
        }
        for (long seq : sequences) {
          if (closed) {
            return;
          }
          byte[] data;
          String path = log + "/c-" + String.format("%010d", seq);
          try {
            data = zk.getData().forPath(path);
          } catch (KeeperException.NoNodeException prunedMeanwhile) {
            resync = true;
            schedule();
            return;
          }
          JsonNode entry = parse(path, data);
          String key = entry.path("key").asText();
          String content = entry.path("content").asText("");
          ConfigurationItem item = content.isEmpty()
              ? ConfigurationItem.deleted(key, query.group(), query.label())
              : new ConfigurationItem(key, content, query.group(), query.label(), tags(entry),
                  entry.path("version").asText(""));
          lastSeq = seq;
          if (query.matches(query.group(), query.label(), key)) {
            report(item);
          }
        }
      } catch (Exception e) {
        LOG.debug("configuration subscription on {} failed to read the change log; retrying", log, e);
        if (!closed) {
          pending.set(true);
          submit(RETRY_DELAY_MS);
        }
      }
    }

    /** Reports, once, the items whose value differs from the last one reported. */
    private void resync(CuratorFramework zk, long upTo) throws Exception {
      Map<String, ConfigurationItem> current = new HashMap<>();
      for (ConfigurationItem item : read(zk, query)) {
        current.put(item.key(), item);
      }
      Set<String> keys = new TreeSet<>(lastReported.keySet());
      keys.addAll(current.keySet());
      for (String key : keys) {
        ConfigurationItem now = current.getOrDefault(key, ConfigurationItem.deleted(key, query.group(), query.label()));
        ConfigurationItem before = lastReported.get(key);
        if (before == null ? !now.isDeleted() : !before.equals(now)) {
          report(now);
        }
      }
      lastSeq = upTo;
      resync = false;
    }

    private void report(ConfigurationItem item) {
      if (item.equals(lastReported.get(item.key()))) {
        return; // already reported (or current at start)
      }
      lastReported.put(item.key(), item);
      try {
        listener.onChange(item);
      } catch (RuntimeException e) {
        LOG.warn("configuration listener on {} failed", log, e);
      }
    }

    @Override
    public void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
    poller.shutdownNow();
    ZookeeperClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }
}
