package io.layotto.components.redis;

import static io.layotto.components.redis.RedisTestSupport.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockStatus;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redlock keeps working, and excluding, with a minority of nodes down, and refuses to guess without a majority. */
class RedlockFailoverTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  @Test
  void oneNodeDownStillLocksAndExcludes() throws Exception {
    try (RedlockTestNodes nodes = new RedlockTestNodes(3); RedlockStore store = nodes.openStore()) {
      assertThat(store.tryLock("before", "a", LEASE)).isTrue();
      nodes.servers.get(0).kill();

      assertThat(store.tryLock("before", "b", LEASE)).as("held on the two live nodes").isFalse();
      assertThat(store.unlock("before", "b")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
      assertThat(store.tryLock("after", "a", LEASE)).as("a new lock on 2 of 3 nodes").isTrue();
      assertThat(store.tryLock("after", "b", LEASE)).isFalse();
      assertThat(store.keepAlive("after", "a", LEASE)).isEqualTo(LockStatus.SUCCESS);
      assertThat(store.unlock("after", "a")).isEqualTo(LockStatus.SUCCESS);
      assertThat(store.unlock("after", "a")).isEqualTo(LockStatus.LOCK_UNEXIST);
      assertThat(store.unlock("before", "a")).isEqualTo(LockStatus.SUCCESS);
      assertThat(store.checkHealth().isUp()).as("health with 2 of 3 nodes").isTrue();
    }
  }

  @Test
  void aMinorityHolderDoesNotGetTheLockAndLeavesNothingBehind() throws Exception {
    try (RedlockTestNodes nodes = new RedlockTestNodes(3); RedlockStore store = nodes.openStore()) {
      // another client holds the resource on two nodes directly
      for (int i = 1; i <= 2; i++) {
        try (RedisClient client = RedisClient.create("redis://" + nodes.servers.get(i).address());
            StatefulRedisConnection<String, String> c = client.connect()) {
          c.sync().set("contended", "other", io.lettuce.core.SetArgs.Builder.px(LEASE.toMillis()));
        }
      }
      assertThat(store.tryLock("contended", "a", LEASE)).isFalse();
      try (RedisClient client = RedisClient.create("redis://" + nodes.servers.get(0).address());
          StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().get("contended")).as("the minority take on node 0 was given back").isNull();
      }
    }
  }

  @Test
  void withoutAMajorityCallsFailAsUnavailable() throws Exception {
    try (RedlockTestNodes nodes = new RedlockTestNodes(3); RedlockStore store = nodes.openStore()) {
      assertThat(store.tryLock("held", "a", LEASE)).isTrue();
      nodes.servers.get(0).kill();
      nodes.servers.get(1).kill();
      assertFailsWith(() -> store.tryLock("other", "b", LEASE), Kind.UNAVAILABLE);
      assertFailsWith(() -> store.unlock("never-taken", "a"), Kind.UNAVAILABLE);
      assertThat(store.unlock("held", "a")).as("released on the live node that holds it").isEqualTo(LockStatus.SUCCESS);
      await().atMost(Duration.ofSeconds(10)).until(() -> !store.checkHealth().isUp());
      assertThat(store.checkHealth().reason()).contains("1 of 3");
    }
  }

  @Test
  void badHostListsAreRejectedNamingTheKey() {
    for (String hosts : new String[] {"127.0.0.1:1,,127.0.0.1:2", "127.0.0.1:1,127.0.0.1:1"}) {
      RedlockStore store = new RedlockStore();
      var e = assertFailsWith(() -> store.init(new Metadata("redlock-test",
          Map.of(RedlockStoreFactory.REDIS_HOSTS, hosts))), Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("redisHosts");
      store.close();
    }
  }
}
