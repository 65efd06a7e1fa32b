package io.layotto.components.inmemory;

import static io.layotto.spi.state.ConformanceAssertions.assertFailsWith;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateOptions;
import io.layotto.spi.state.StateRequests;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Behaviour specific to the in-memory store, beyond the conformance kit. */
class InMemoryStateStoreTest {

  private final String componentName = "state_" + UUID.randomUUID().toString().substring(0, 8);
  private final InMemoryStateStore store = new InMemoryStateStore();

  InMemoryStateStoreTest() {
    store.init(new Metadata(componentName, Map.of()));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void sweepFreesExpiredEntriesThatAreNeverReadAgain() {
    for (int i = 0; i < 100; i++) {
      store.set(new SetRequest("k" + i, bytes("v"), null, Map.of(StateRequests.TTL_IN_SECONDS, "1"),
          StateOptions.DEFAULT));
    }
    store.set(SetRequest.of("kept", bytes("v")));
    assertThat(store.storedEntries()).isEqualTo(101);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.storedEntries() == 1);
    assertThat(store.get(GetRequest.of("kept"))).isPresent();
  }

  @Test
  void closeStopsTheSweeperAndReportsDown() {
    String sweeperName = "in-memory-state-sweeper-" + componentName;
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals(sweeperName));
    store.close();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(sweeperName)));
    assertThat(store.checkHealth().isUp()).isFalse();
  }

  @Test
  void etagsComeFromOneStoreWideCounter() {
    store.set(SetRequest.of("a", bytes("1")));
    store.set(SetRequest.of("b", bytes("1")));
    long a = Long.parseLong(store.get(GetRequest.of("a")).orElseThrow().etag());
    long b = Long.parseLong(store.get(GetRequest.of("b")).orElseThrow().etag());
    assertThat(b).isGreaterThan(a);
  }

  @Test
  void anEtagDoesNotSurviveDeleteAndRecreate() {
    store.set(SetRequest.of("k", bytes("1")));
    String old = store.get(GetRequest.of("k")).orElseThrow().etag();
    store.delete(DeleteRequest.of("k"));
    store.set(SetRequest.of("k", bytes("2")));
    assertFailsWith(() -> store.set(new SetRequest("k", bytes("3"), old, Map.of(), StateOptions.DEFAULT)),
        Kind.ETAG_MISMATCH);
  }

  @Test
  void rejectsAnEmptyKeyAndANonNumericEtag() {
    assertFailsWith(() -> store.set(SetRequest.of("", bytes("v"))), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store.get(GetRequest.of("")), Kind.INVALID_ARGUMENT);
    assertFailsWith(() -> store.delete(new DeleteRequest("k", "abc", Map.of(), StateOptions.DEFAULT)),
        Kind.INVALID_ETAG);
    assertFailsWith(() -> store.delete(new DeleteRequest("k", "-3", Map.of(), StateOptions.DEFAULT)),
        Kind.INVALID_ETAG);
  }

  private static byte[] bytes(String value) {
    return value.getBytes(UTF_8);
  }
}
