package io.layotto.components.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerConformance;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sequencer conformance kit against the shared Redis at 127.0.0.1:6379, plus Redis specifics. */
class RedisSequencerConformanceTest extends SequencerConformance {

  @Override
  protected Sequencer createSequencer(Map<String, Long> biggerThan) {
    Sequencer sequencer = new RedisSequencerFactory().create();
    sequencer.init(RedisTestSupport.metadata(RedisTestSupport.SHARED_REDIS, Map.of()), biggerThan);
    return sequencer;
  }

  @Override
  protected void deleteCreated(Set<String> keys) {
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.deleteKeysStartingWith(runPrefix());
    }
  }

  @Test
  void idsAreThePlainRedisCounterLayottoUses() {
    String key = key("layout");
    long id = sequencer().nextId(key);
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      assertThat(new String(redis.raw().get(key), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(id));
      redis.raw().set(key, "41".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(sequencer().nextId(key)).as("a counter written by Layotto or redis-cli is continued").isEqualTo(42);
  }

  @Test
  void aKeyHoldingSomethingElseFailsNamingTheKey() {
    String key = key("not-a-number");
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.raw().set(key, "hello".getBytes(StandardCharsets.US_ASCII));
    }
    var e = assertFails(() -> sequencer().nextId(key), Kind.INTERNAL);
    assertThat(e.getMessage()).contains(key);
  }

  @Test
  void biggerThanComparesFullInt64Values() {
    // 9007199254740993 = 2^53 + 1 is not a double: a numeric Lua comparison would get it wrong
    String key = key("precise");
    try (RedisTestSupport redis = new RedisTestSupport(0)) {
      redis.raw().set(key, "9007199254740993".getBytes(StandardCharsets.US_ASCII));
    }
    Sequencer s = another(Map.of(key, 9007199254740992L));
    assertThat(s.nextId(key)).isEqualTo(9007199254740994L);
  }

  @Test
  void factoryDeclaresWhatTheComponentDoes() {
    RedisSequencerFactory factory = new RedisSequencerFactory();
    assertThat(factory.type()).isEqualTo("redis");
    assertThat(factory.capabilities()).isEqualTo(sequencer().features());
    assertThat(factory.metadataSchema().field("redisHost")).isPresent();
  }

  @Test
  void unreachableRedisFailsInitAsUnavailable() {
    Sequencer s = new RedisSequencerFactory().create();
    var e = assertFails(() -> s.init(RedisTestSupport.metadata("127.0.0.1:1", Map.of("dialTimeout", "1s")), Map.of()),
        Kind.UNAVAILABLE);
    assertThat(e.getMessage()).contains("127.0.0.1:1");
  }
}
