package io.layotto.components.redis;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Health;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockRequests;
import io.layotto.spi.lock.LockStatus;
import io.layotto.spi.lock.LockStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redlock over N independent Redis masters (type {@code redis_cluster}, metadata {@code redisHosts}).
 * A lock is held when a majority of the nodes took it ({@link LockCommands}) and the attempt left
 * some of the lease: validity = ttl - elapsed - drift (1 % of ttl + 2 ms), as in the Redlock
 * description. A failed attempt is released on every node at once. So the store keeps working, and
 * keeps excluding, while a minority of nodes is down.
 *
 * <p>When fewer than a majority of nodes answer, the outcome cannot be decided and the call fails
 * with UNAVAILABLE rather than guessing. All nodes must be reachable at start-up.
 */
public final class RedlockStore implements LockStore {

  static final Set<LockFeature> FEATURES = Set.of(LockFeature.KEEP_ALIVE);
  private static final Logger log = LoggerFactory.getLogger(RedlockStore.class);

  private volatile List<RedisEndpoint> nodes = List.of();
  private volatile String name = "";

  @Override
  public Set<LockFeature> features() {
    return FEATURES;
  }

  @Override
  public synchronized void init(Metadata metadata) {
    if (!nodes.isEmpty()) {
      throw ComponentException.internal("redis_cluster lock store '" + metadata.componentName()
          + "' is already initialised", null);
    }
    name = metadata.componentName();
    List<RedisSettings> settings = new ArrayList<>();
    for (String host : hosts(metadata)) {
      Map<String, String> node = new HashMap<>(metadata.asMap());
      node.remove(RedlockStoreFactory.REDIS_HOSTS);
      node.put(RedisSettings.REDIS_HOST, host);
      settings.add(RedisSettings.from(new Metadata(metadata.componentName(), node)));
    }
    List<RedisEndpoint> opened = new ArrayList<>();
    try {
      for (RedisSettings s : settings) {
        opened.add(RedisEndpoint.open("redis_cluster lock store", metadata.componentName(), s));
      }
    } catch (RuntimeException e) {
      opened.forEach(RedisEndpoint::close);
      throw e;
    }
    nodes = List.copyOf(opened);
    log.info("redis_cluster lock store '{}' uses {} nodes, quorum {}", name, nodes.size(), quorum());
  }

  private static List<String> hosts(Metadata metadata) {
    String raw = metadata.require(RedlockStoreFactory.REDIS_HOSTS);
    Set<String> hosts = new LinkedHashSet<>();
    for (String part : raw.split(",")) {
      String host = part.trim();
      if (host.isEmpty()) {
        throw ComponentException.invalidArgument("metadata '" + RedlockStoreFactory.REDIS_HOSTS + "' of component '"
            + metadata.componentName() + "' is '" + raw + "', which has an empty entry; expected host:port,host:port,...");
      }
      if (!hosts.add(host)) {
        throw ComponentException.invalidArgument("metadata '" + RedlockStoreFactory.REDIS_HOSTS + "' of component '"
            + metadata.componentName() + "' lists '" + host + "' twice; each node counts once towards the majority");
      }
    }
    return List.copyOf(hosts);
  }

  private int quorum() {
    return nodes.size() / 2 + 1;
  }

  /** Per node: the reply, or null when the node failed (unreachable, timed out, error). */
  private <T> List<@Nullable T> onAll(Function<RedisEndpoint, CompletableFuture<T>> command) {
    List<RedisEndpoint> all = nodes();
    List<CompletableFuture<@Nullable T>> replies = new ArrayList<>(all.size());
    for (RedisEndpoint node : all) {
      long bound = node.settings().commandTimeout().toMillis() + 1_000;
      CompletableFuture<@Nullable T> reply;
      try {
        reply = command.apply(node).orTimeout(bound, TimeUnit.MILLISECONDS).handle((value, failure) -> {
          if (failure != null) {
            log.debug("redis_cluster lock store '{}': node {} failed: {}", name, node.address(),
                RedisFailures.rootMessage(failure));
            return null;
          }
          return value;
        });
      } catch (RuntimeException e) { // rejected at once while disconnected
        reply = CompletableFuture.completedFuture(null);
      }
      replies.add(reply);
    }
    List<@Nullable T> results = new ArrayList<>(all.size());
    for (CompletableFuture<@Nullable T> reply : replies) {
      results.add(reply.join());
    }
    return results;
  }

  @Override
  public boolean tryLock(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    long start = System.nanoTime();
    List<@Nullable Boolean> taken = onAll(node -> LockCommands.trySet(node, resourceId, owner, ttlMillis));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long drift = ttlMillis / 100 + 2;
    int acquired = (int) taken.stream().filter(Boolean.TRUE::equals).count();
    int answered = (int) taken.stream().filter(r -> r != null).count();
    if (acquired >= quorum() && ttlMillis - elapsedMillis - drift > 0) {
      return true;
    }
    if (acquired > 0) {
      onAll(node -> LockCommands.unlock(node, resourceId, owner)); // give back the minority
    }
    if (answered < quorum()) {
      throw ComponentException.unavailable(description() + ": only " + answered + " of " + nodes().size()
          + " redis nodes answered the tryLock of resource '" + resourceId + "'; a majority of " + quorum()
          + " is needed", null);
    }
    if (acquired >= quorum()) {
      throw ComponentException.unavailable(description() + ": taking resource '" + resourceId + "' on a majority took "
          + elapsedMillis + " ms, leaving no validity of the " + ttlMillis + " ms lease; it was released", null);
    }
    return false;
  }

  @Override
  public LockStatus unlock(String resourceId, String owner) {
    LockRequests.check(resourceId, owner);
    List<@Nullable LockStatus> replies = onAll(node -> LockCommands.unlock(node, resourceId, owner));
    if (replies.contains(LockStatus.SUCCESS)) {
      return LockStatus.SUCCESS;
    }
    return undecided(replies, "unlock", resourceId);
  }

  @Override
  public LockStatus keepAlive(String resourceId, String owner, Duration ttl) {
    long ttlMillis = LockRequests.check(resourceId, owner, ttl);
    List<@Nullable LockStatus> replies = onAll(node -> LockCommands.keepAlive(node, resourceId, owner, ttlMillis));
    long extended = replies.stream().filter(LockStatus.SUCCESS::equals).count();
    if (extended >= quorum()) {
      return LockStatus.SUCCESS;
    }
    if (extended > 0) {
      // held on a minority only: the lock is lost; do not let the leftovers block others
      onAll(node -> LockCommands.unlock(node, resourceId, owner));
    }
    return undecided(replies, "keep-alive", resourceId);
  }

  /** The answer when no majority succeeded: held by another owner, or gone, or unknown. */
  private LockStatus undecided(List<@Nullable LockStatus> replies, String doing, String resourceId) {
    if (replies.contains(LockStatus.LOCK_BELONG_TO_OTHERS)) {
      return LockStatus.LOCK_BELONG_TO_OTHERS;
    }
    long answered = replies.stream().filter(r -> r != null).count();
    if (answered >= quorum()) {
      return LockStatus.LOCK_UNEXIST;
    }
    throw ComponentException.unavailable(description() + ": only " + answered + " of " + replies.size()
        + " redis nodes answered the " + doing + " of resource '" + resourceId + "'; a majority of " + quorum()
        + " is needed", null);
  }

  /** UP while a majority of the nodes answers a PING. */
  @Override
  public Health checkHealth() {
    List<RedisEndpoint> all = nodes;
    if (all.isEmpty()) {
      return Health.down("redis_cluster lock store is not initialised");
    }
    List<String> down = new ArrayList<>();
    for (RedisEndpoint node : all) {
      Health h = node.health();
      if (!h.isUp()) {
        down.add(node.address() + ": " + h.reason());
      }
    }
    if (all.size() - down.size() >= quorum()) {
      return Health.up();
    }
    return Health.down((all.size() - down.size()) + " of " + all.size() + " redis nodes are up, a majority of "
        + quorum() + " is needed; down: " + down);
  }

  private List<RedisEndpoint> nodes() {
    List<RedisEndpoint> all = nodes;
    if (all.isEmpty()) {
      throw ComponentException.internal("redis_cluster lock store is not initialised or already closed", null);
    }
    return all;
  }

  private String description() {
    return "redis_cluster lock store '" + name + "'";
  }

  @Override
  public synchronized void close() {
    List<RedisEndpoint> all = nodes;
    nodes = List.of();
    all.forEach(RedisEndpoint::close);
  }
}
