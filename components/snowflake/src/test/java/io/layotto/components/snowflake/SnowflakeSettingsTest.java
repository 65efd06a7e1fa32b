package io.layotto.components.snowflake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad metadata fails at init naming the key and the value; a fixed worker id needs no database. */
class SnowflakeSettingsTest {

  private static ComponentException invalid(Map<String, String> metadata) {
    ComponentException e = catchThrowableOfType(ComponentException.class,
        () -> new SnowflakeSequencer().init(new Metadata("snow", metadata)));
    assertThat(e).as("init must fail").isNotNull();
    assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    return e;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "workerId=1024|workerId",
      "workerId=-1|workerId",
      "workerId=1,timeBits=40|timeBits",
      "workerId=1,startTime=yesterday|startTime",
      "workerId=1,startTime=2999-01-01|startTime",
      "workerId=1,timeBits=20,workerBits=31,seqBits=12|timeBits",
      "workerId=1,maxClockBackward=2h|maxClockBackward",
      "jdbcUrl=jdbc:oracle:thin:@x|jdbcUrl",
      "jdbcUrl=jdbc:postgresql://127.0.0.1/test,tableName=bad-name|tableName",
      "mysqlHost=127.0.0.1:3306|databaseName",
      "workerId=1,jdbcUrl=jdbc:postgresql://127.0.0.1/test|workerId",
      "leaseTtl=1s,jdbcUrl=jdbc:postgresql://127.0.0.1/test|leaseTtl",
  })
  void badMetadataNamesTheKey(String pairs, String key) {
    Map<String, String> metadata = new java.util.HashMap<>();
    for (String pair : pairs.split(",")) {
      String[] kv = pair.split("=", 2);
      metadata.put(kv[0], kv[1]);
    }
    assertThat(invalid(metadata).getMessage()).contains(key);
  }

  @Test
  void noWorkerIdAndNoDatabaseSaysWhatToSet() {
    assertThat(invalid(Map.of()).getMessage()).contains("workerId").contains("jdbcUrl").contains("mysqlHost");
  }

  @Test
  void aFixedWorkerIdWorksWithoutADatabase() {
    SnowflakeSequencer sequencer = new SnowflakeSequencer();
    sequencer.init(new Metadata("snow", Map.of("workerId", "7")));
    try {
      long a = sequencer.nextId("k");
      long b = sequencer.nextId("other");
      assertThat(b).isGreaterThan(a);
      assertThat((a >>> 12) & 1023).as("worker id bits").isEqualTo(7);
      assertThat(sequencer.checkHealth().isUp()).isTrue();
    } finally {
      sequencer.close();
    }
  }

  @Test
  void biggerThanBeyondTheTimeBasedIdsFailsInit() {
    SnowflakeSequencer sequencer = new SnowflakeSequencer();
    ComponentException e = catchThrowableOfType(ComponentException.class,
        () -> sequencer.init(new Metadata("snow", Map.of("workerId", "7")), Map.of("orders", Long.MAX_VALUE - 1)));
    assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("orders").contains("biggerThan");
  }

  @Test
  void biggerThanBelowTheTimeBasedIdsIsHonoured() {
    SnowflakeSequencer sequencer = new SnowflakeSequencer();
    sequencer.init(new Metadata("snow", Map.of("workerId", "7")), Map.of("orders", 1_000_000L));
    try {
      assertThat(sequencer.nextId("orders")).isGreaterThan(1_000_000L);
    } finally {
      sequencer.close();
    }
  }
}
