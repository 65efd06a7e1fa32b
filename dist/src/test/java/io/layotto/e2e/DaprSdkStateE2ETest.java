package io.layotto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.domain.ComponentMetadata;
import io.dapr.client.domain.DaprMetadata;
import io.dapr.client.domain.State;
import io.dapr.client.domain.StateOptions;
import io.dapr.client.domain.TransactionalStateOperation;
import io.dapr.client.domain.TransactionalStateOperation.OperationType;
import io.dapr.config.Properties;
import io.dapr.exceptions.DaprException;
import io.layotto.e2e.harness.SidecarConfig;
import io.layotto.e2e.harness.SidecarLogsOnFailure;
import io.layotto.e2e.harness.SidecarProcess;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Dapr Java SDK, unchanged, against the real sidecar: the same application code over an
 * in-memory store and over the shared Redis (random keys), through the Dapr gRPC API.
 */
@ExtendWith(SidecarLogsOnFailure.class)
class DaprSdkStateE2ETest {

  private static final String IN_MEMORY = "mem_store";
  private static final String REDIS = "redis_store";
  private static final String KEY_PREFIX = "e2e-dapr-" + UUID.randomUUID() + "-";

  /** A typed value as an application would store it (the SDK serialises it as JSON). */
  record Order(String id, int quantity, List<String> items) {}

  private static SidecarProcess sidecar;
  private static DaprClient dapr;

  @BeforeAll
  static void startSidecar() {
    sidecar = SidecarProcess.start(SidecarConfig.defaults()
        .withInMemoryStore(IN_MEMORY)
        .withRedisStore(REDIS, 6379));
    // These are the properties an application sets as DAPR_GRPC_PORT / dapr.grpc.port and
    // DAPR_SIDECAR_IP / dapr.sidecar.ip; overriding them per client keeps concurrent test JVMs apart.
    dapr = new DaprClientBuilder()
        .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
        .withPropertyOverride(Properties.GRPC_PORT, String.valueOf(sidecar.grpcPort()))
        .build();
  }

  @AfterAll
  static void stopSidecar() throws Exception {
    try {
      if (dapr != null) {
        dapr.close();
      }
      if (sidecar != null) {
        sidecar.stop();
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
    }
  }

  private static String key(String name) {
    return KEY_PREFIX + name;
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void savesAndReadsTypedValues(String store) {
    Order order = new Order("o-1", 3, List.of("apple", "pear"));
    dapr.saveState(store, key("order"), order).block();
    dapr.saveState(store, key("greeting"), "héllo wörld").block();

    State<Order> readOrder = dapr.getState(store, key("order"), Order.class).block();
    State<String> readGreeting = dapr.getState(store, key("greeting"), String.class).block();

    assertThat(readOrder.getValue()).isEqualTo(order);
    assertThat(readOrder.getEtag()).isNotBlank();
    assertThat(readGreeting.getValue()).isEqualTo("héllo wörld");
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void missingKeyReadsAsEmpty(String store) {
    State<String> missing = dapr.getState(store, key("never-written"), String.class).block();

    assertThat(missing.getValue()).isNull();
    assertThat(missing.getEtag()).isNullOrEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void staleEtagIsRejectedWithAborted(String store) {
    String key = key("etag");
    dapr.saveState(store, key, "v1").block();
    String firstEtag = dapr.getState(store, key, String.class).block().getEtag();
    StateOptions firstWrite = new StateOptions(StateOptions.Consistency.STRONG, StateOptions.Concurrency.FIRST_WRITE);

    dapr.saveState(store, key, firstEtag, "v2", firstWrite).block();

    assertThatThrownBy(() -> dapr.saveState(store, key, firstEtag, "v3", firstWrite).block())
        .isInstanceOfSatisfying(DaprException.class, e -> assertThat(e.getErrorCode()).isEqualTo("ABORTED"));
    State<String> current = dapr.getState(store, key, String.class).block();
    assertThat(current.getValue()).isEqualTo("v2");
    assertThat(current.getEtag()).isNotEqualTo(firstEtag);

    assertThatThrownBy(() -> dapr.deleteState(store, key, firstEtag, firstWrite).block())
        .isInstanceOfSatisfying(DaprException.class, e -> assertThat(e.getErrorCode()).isEqualTo("ABORTED"));
    dapr.deleteState(store, key, current.getEtag(), firstWrite).block();
    assertThat(dapr.getState(store, key, String.class).block().getValue()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void deletesState(String store) {
    String key = key("to-delete");
    dapr.saveState(store, key, new Order("gone", 1, List.of())).block();

    dapr.deleteState(store, key).block();

    assertThat(dapr.getState(store, key, Order.class).block().getValue()).isNull();
    dapr.deleteState(store, key).block(); // deleting a missing key is not an error
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void savesAndReadsInBulk(String store) {
    List<String> keys = List.of(key("bulk-1"), key("bulk-2"), key("bulk-3"));
    dapr.saveBulkState(store, List.of(
        new State<>(keys.get(0), new Order("b1", 1, List.of("x")), null),
        new State<>(keys.get(1), new Order("b2", 2, List.of("y")), null),
        new State<>(keys.get(2), new Order("b3", 3, List.of("z")), null))).block();

    List<State<Order>> states = dapr.getBulkState(store, List.of(keys.get(0), keys.get(1), keys.get(2),
        key("bulk-missing")), Order.class).block();

    Map<String, State<Order>> byKey = states.stream().collect(Collectors.toMap(State::getKey, Function.identity()));
    assertThat(byKey).containsOnlyKeys(keys.get(0), keys.get(1), keys.get(2), key("bulk-missing"));
    assertThat(byKey.get(keys.get(0)).getValue()).isEqualTo(new Order("b1", 1, List.of("x")));
    assertThat(byKey.get(keys.get(2)).getValue()).isEqualTo(new Order("b3", 3, List.of("z")));
    assertThat(byKey.get(keys.get(1)).getEtag()).isNotBlank();
    assertThat(byKey.get(key("bulk-missing")).getValue()).isNull();
    assertThat(byKey.values()).allSatisfy(state -> assertThat(state.getError()).isNullOrEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {IN_MEMORY, REDIS})
  void executesTransactionsAtomically(String store) {
    String kept = key("tx-kept");
    String removed = key("tx-removed");
    String added = key("tx-added");
    dapr.saveState(store, kept, "before").block();
    dapr.saveState(store, removed, "doomed").block();

    dapr.executeStateTransaction(store, List.of(
        new TransactionalStateOperation<>(OperationType.UPSERT, new State<>(kept, "after", (String) null)),
        new TransactionalStateOperation<>(OperationType.DELETE, new State<>(removed)),
        new TransactionalStateOperation<>(OperationType.UPSERT, new State<>(added, new Order("t", 7, List.of()), null))))
        .block();

    assertThat(dapr.getState(store, kept, String.class).block().getValue()).isEqualTo("after");
    assertThat(dapr.getState(store, removed, String.class).block().getValue()).isNull();
    assertThat(dapr.getState(store, added, Order.class).block().getValue()).isEqualTo(new Order("t", 7, List.of()));

    // a stale etag in one operation rolls back the whole transaction
    String staleEtag = dapr.getState(store, kept, String.class).block().getEtag();
    dapr.saveState(store, kept, "moved on").block();
    String untouched = key("tx-untouched");
    assertThatThrownBy(() -> dapr.executeStateTransaction(store, List.of(
        new TransactionalStateOperation<>(OperationType.UPSERT, new State<>(untouched, "must not appear", (String) null)),
        new TransactionalStateOperation<>(OperationType.UPSERT, new State<>(kept, "lost update", staleEtag))))
        .block())
        .isInstanceOfSatisfying(DaprException.class, e -> assertThat(e.getErrorCode()).isEqualTo("ABORTED"));
    assertThat(dapr.getState(store, untouched, String.class).block().getValue()).isNull();
    assertThat(dapr.getState(store, kept, String.class).block().getValue()).isEqualTo("moved on");
  }

  @Test
  void metadataListsTheConfiguredComponents() {
    DaprMetadata metadata = dapr.getMetadata().block();

    assertThat(metadata.getId()).isEqualTo("e2e-app");
    Map<String, ComponentMetadata> byName = metadata.getComponents().stream()
        .collect(Collectors.toMap(ComponentMetadata::getName, Function.identity()));
    assertThat(byName).containsKeys(IN_MEMORY, REDIS);
    assertThat(byName.get(IN_MEMORY).getType()).startsWith("state.").contains("in-memory");
    assertThat(byName.get(REDIS).getType()).isEqualTo("state.redis");
  }

  @Test
  void unknownStoreIsRejectedWithInvalidArgumentNamingIt() {
    assertThatThrownBy(() -> dapr.getState("no_such_store", key("x"), String.class).block())
        .isInstanceOfSatisfying(DaprException.class, e -> {
          assertThat(e.getErrorCode()).isEqualTo("INVALID_ARGUMENT");
          assertThat(e.getMessage()).contains("no_such_store").contains(IN_MEMORY).contains(REDIS);
        });
  }
}
