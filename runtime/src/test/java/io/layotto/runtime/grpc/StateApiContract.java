package io.layotto.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.layotto.runtime.component.ComponentInfo;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.StateClient.BulkGot;
import io.layotto.runtime.grpc.StateClient.Got;
import io.layotto.runtime.grpc.StateClient.Item;
import io.layotto.runtime.grpc.StateClient.Op;
import io.layotto.spi.BuildingBlock;
import io.layotto.spi.ComponentException;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state API's behaviour, run once through each service's generated stubs (see the subclasses):
 * both services share {@code StateApi}, and both must show exactly this behaviour to clients.
 */
abstract class StateApiContract {

  static final String APP_ID = "app1";

  final MapStateStore store = new MapStateStore(EnumSet.allOf(StateFeature.class));
  final MapStateStore plain = new MapStateStore(EnumSet.of(StateFeature.ETAG));
  final MapStateStore byAppId = new MapStateStore(EnumSet.allOf(StateFeature.class));
  final MapStateStore byName = new MapStateStore(EnumSet.allOf(StateFeature.class));
  final MapStateStore literal = new MapStateStore(EnumSet.allOf(StateFeature.class));

  InProcessApi api;
  StateClient client;

  abstract StateClient.Factory clients();

  @BeforeEach
  void start() {
    Map<String, StateStore> stores = new LinkedHashMap<>();
    stores.put("store", store);
    stores.put("plain", plain);
    stores.put("down", new FailingStateStore(
        () -> ComponentException.unavailable("redis at 127.0.0.1:1 is unreachable", null)));
    stores.put("broken", new FailingStateStore(
        () -> new IllegalStateException("secret internal detail")));
    stores.put("down_later", new FailingNonBlockingStateStore(
        () -> ComponentException.unavailable("redis at 127.0.0.1:1 is unreachable", null)));
    stores.put("broken_later", new FailingNonBlockingStateStore(
        () -> new IllegalStateException("secret internal detail")));
    stores.put("by_appid", byAppId);
    stores.put("by_name", byName);
    stores.put("literal", literal);
    api = new InProcessApi(components(APP_ID, stores,
        Map.of("by_appid", "appid", "by_name", "name", "literal", "MyPrefix", "store", "none")));
    client = clients().create(api.channel);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  static LoadedComponents components(String appId, Map<String, StateStore> stores, Map<String, String> prefixes) {
    List<ComponentInfo> infos = new ArrayList<>();
    stores.forEach((name, s) -> infos.add(new ComponentInfo(name, BuildingBlock.STATE, "test",
        s.features().stream().map(Enum::name).collect(java.util.stream.Collectors.toSet()))));
    return new LoadedComponents(appId, stores, prefixes, Map.of(), infos);
  }

  static Status.Code codeOf(ThrowingCallable call) {
    return failure(call).getStatus().getCode();
  }

  static StatusRuntimeException failure(ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("the call must fail with a gRPC status").isNotNull();
    return e;
  }

  /** Asserts the status code and that the description contains every fragment. */
  static void assertFails(ThrowingCallable call, Status.Code code, String... fragments) {
    StatusRuntimeException e = failure(call);
    assertThat(e.getStatus().getCode()).as("status of %s", e.getStatus()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).isNotNull().contains(fragments);
  }

  // ---- CRUD

  @Test
  void savedValueIsReadBackWithAnEtagAndDeleted() {
    client.save("store", List.of(Item.of("k1", "v1")));
    Got got = client.get("store", "k1");
    assertThat(got.data()).isEqualTo("v1");
    assertThat(got.etag()).isNotEmpty();

    client.delete("store", "k1", "");
    assertThat(client.get("store", "k1")).isEqualTo(new Got("", ""));
  }

  @Test
  void missingKeyIsEmptyNotAnError() {
    assertThat(client.get("store", "never-written")).isEqualTo(new Got("", ""));
  }

  @Test
  void overwriteWithoutEtagIsLastWriteWins() {
    client.save("store", List.of(Item.of("k", "a")));
    client.save("store", List.of(Item.of("k", "b")));
    assertThat(client.get("store", "k").data()).isEqualTo("b");
  }

  @Test
  void deletingAnAbsentKeySucceeds() {
    client.delete("store", "absent", "");
    assertThat(client.get("store", "absent").data()).isEmpty();
  }

  @Test
  void requestMetadataReachesTheStore() {
    client.save("store", List.of(Item.of("ttl", "v").metadata(Map.of("ttlInSeconds", "60"))));
    assertThat(store.storedMetadata("ttl")).containsEntry("ttlInSeconds", "60");
  }

  // ---- bulk

  @Test
  void bulkGetReturnsEveryKeyInOrderWithMissingOnesEmpty() {
    client.save("store", List.of(Item.of("a", "1"), Item.of("b", "2")));
    List<BulkGot> items = client.bulkGet("store", List.of("a", "missing", "b"));
    assertThat(items).extracting(BulkGot::key).containsExactly("a", "missing", "b");
    assertThat(items).extracting(BulkGot::data).containsExactly("1", "", "2");
    assertThat(items.get(0).etag()).isEqualTo(client.get("store", "a").etag());
    assertThat(items.get(1).etag()).isEmpty();
    assertThat(items).extracting(BulkGot::error).containsOnly("");
  }

  @Test
  void bulkGetOfNoKeysIsEmpty() {
    assertThat(client.bulkGet("store", List.of())).isEmpty();
  }

  @Test
  void saveStateWritesEveryItemAndDeleteBulkRemovesThem() {
    client.save("store", List.of(Item.of("x", "1"), Item.of("y", "2"), Item.of("z", "3")));
    assertThat(store.storedKeys()).contains("x", "y", "z");
    client.deleteBulk("store", List.of(Item.of("x", ""), Item.of("y", "")));
    assertThat(store.storedKeys()).doesNotContain("x", "y").contains("z");
  }

  @Test
  void perKeyBulkFailuresGoIntoTheItemError() {
    List<BulkGot> items = client.bulkGet("down", List.of("a", "b"));
    assertThat(items).extracting(BulkGot::key).containsExactly("a", "b");
    assertThat(items).allSatisfy(item -> assertThat(item.error()).contains("unreachable"));
  }

  // ---- etags and concurrency

  @Test
  void writeWithCurrentEtagSucceedsAndStaleEtagIsAborted() {
    client.save("store", List.of(Item.of("e", "v1")));
    String etag = client.get("store", "e").etag();
    client.save("store", List.of(Item.of("e", "v2").etag(etag)));
    assertThat(client.get("store", "e").data()).isEqualTo("v2");

    assertFails(() -> client.save("store", List.of(Item.of("e", "v3").etag(etag))), Status.Code.ABORTED,
        "store", "'e'");
    assertFails(() -> client.delete("store", "e", etag), Status.Code.ABORTED, "store", "'e'");
    assertThat(client.get("store", "e").data()).isEqualTo("v2");
  }

  @Test
  void etagOnAnAbsentKeyIsAborted() {
    assertFails(() -> client.save("store", List.of(Item.of("ghost", "v").etag("7"))), Status.Code.ABORTED,
        "ghost");
  }

  @Test
  void malformedEtagIsInvalidArgument() {
    client.save("store", List.of(Item.of("m", "v")));
    assertFails(() -> client.save("store", List.of(Item.of("m", "v").etag("not-a-number"))),
        Status.Code.INVALID_ARGUMENT, "not-a-number");
  }

  @Test
  void firstWriteWinsOnlyOnce() {
    client.save("store", List.of(Item.of("fw", "first").firstWrite()));
    assertFails(() -> client.save("store", List.of(Item.of("fw", "second").firstWrite())), Status.Code.ABORTED,
        "fw");
    assertThat(client.get("store", "fw").data()).isEqualTo("first");
  }

  // ---- transactions

  @Test
  void transactionAppliesUpsertsAndDeletes() {
    client.save("store", List.of(Item.of("gone", "x")));
    client.transact("store", List.of(new Op("upsert", Item.of("t1", "1")), new Op("upsert", Item.of("t2", "2")),
        new Op("delete", Item.of("gone", ""))));
    assertThat(client.get("store", "t1").data()).isEqualTo("1");
    assertThat(client.get("store", "t2").data()).isEqualTo("2");
    assertThat(client.get("store", "gone").data()).isEmpty();
  }

  @Test
  void transactionWithAStaleEtagIsAbortedAndAppliesNothing() {
    client.save("store", List.of(Item.of("tx", "old")));
    assertFails(() -> client.transact("store", List.of(new Op("upsert", Item.of("tx-new", "1")),
        new Op("upsert", Item.of("tx", "new").etag("999")))), Status.Code.ABORTED, "store");
    assertThat(client.get("store", "tx").data()).isEqualTo("old");
    assertThat(client.get("store", "tx-new").data()).isEmpty();
  }

  @Test
  void unknownOperationTypeIsInvalidArgumentListingTheAllowedOnes() {
    assertFails(() -> client.transact("store", List.of(new Op("upsert", Item.of("a", "1")),
        new Op("merge", Item.of("b", "2")))), Status.Code.INVALID_ARGUMENT, "operations[1].operationType",
        "'merge'", "upsert", "delete");
    assertThat(store.storedKeys()).doesNotContain("a");
  }

  @Test
  void transactionOnAStoreWithoutTransactionsIsUnimplementedNamingTheStore() {
    assertFails(() -> client.transact("plain", List.of(new Op("upsert", Item.of("a", "1")))),
        Status.Code.UNIMPLEMENTED, "'plain'", "transactions");
  }

  // ---- bad input

  @Test
  void emptyStoreNameIsInvalidArgumentNamingTheField() {
    assertFails(() -> client.get("", "k"), Status.Code.INVALID_ARGUMENT, "store_name", "store", "plain");
    assertFails(() -> client.bulkGet("", List.of("k")), Status.Code.INVALID_ARGUMENT, "store_name");
    assertFails(() -> client.save("", List.of(Item.of("k", "v"))), Status.Code.INVALID_ARGUMENT, "store_name");
    assertFails(() -> client.delete("", "k", ""), Status.Code.INVALID_ARGUMENT, "store_name");
    assertFails(() -> client.deleteBulk("", List.of(Item.of("k", ""))), Status.Code.INVALID_ARGUMENT, "store_name");
    assertFails(() -> client.transact("", List.of(new Op("upsert", Item.of("k", "v")))),
        Status.Code.INVALID_ARGUMENT, "storeName");
  }

  @Test
  void unknownStoreIsInvalidArgumentNamingItAndListingTheConfiguredOnes() {
    assertFails(() -> client.get("nope", "k"), Status.Code.INVALID_ARGUMENT, "'nope'",
        "[store, plain, down, broken, down_later, broken_later, by_appid, by_name, literal]");
    assertFails(() -> client.save("nope", List.of(Item.of("k", "v"))), Status.Code.INVALID_ARGUMENT, "'nope'",
        "store, plain");
    assertFails(() -> client.transact("nope", List.of()), Status.Code.INVALID_ARGUMENT, "'nope'", "store, plain");
  }

  @Test
  void emptyKeyIsInvalidArgumentNamingTheField() {
    assertFails(() -> client.get("store", ""), Status.Code.INVALID_ARGUMENT, "key is empty");
    assertFails(() -> client.delete("store", "", ""), Status.Code.INVALID_ARGUMENT, "key is empty");
    assertFails(() -> client.bulkGet("store", List.of("a", "b", "")), Status.Code.INVALID_ARGUMENT,
        "keys[2] is empty");
    assertFails(() -> client.save("store", List.of(Item.of("a", "1"), Item.of("b", "2"), Item.of("", "3"))),
        Status.Code.INVALID_ARGUMENT, "states[2].key is empty");
    assertFails(() -> client.deleteBulk("store", List.of(Item.of("", ""))), Status.Code.INVALID_ARGUMENT,
        "states[0].key is empty");
    assertFails(() -> client.transact("store", List.of(new Op("upsert", Item.of("a", "1")),
        new Op("delete", Item.of("", "")))), Status.Code.INVALID_ARGUMENT, "operations[1].request.key is empty");
    assertThat(store.storedKeys()).as("nothing of a rejected request is written").doesNotContain("a", "b");
  }

  @Test
  void keyWithTheSeparatorIsInvalidArgument() {
    assertFails(() -> client.get("store", "a||b"), Status.Code.INVALID_ARGUMENT, "key", "'a||b'", "'||'");
    assertFails(() -> client.save("store", List.of(Item.of("x||y", "v"))), Status.Code.INVALID_ARGUMENT,
        "states[0].key", "'x||y'");
  }

  @Test
  void noStateStoreConfiguredIsFailedPrecondition() {
    try (InProcessApi empty = new InProcessApi(components("", Map.of(), Map.of()))) {
      StateClient c = clients().create(empty.channel);
      assertFails(() -> c.get("store", "k"), Status.Code.FAILED_PRECONDITION, "state store is not configured");
      assertFails(() -> c.save("store", List.of(Item.of("k", "v"))), Status.Code.FAILED_PRECONDITION,
          "state store is not configured");
      assertFails(() -> c.transact("store", List.of()), Status.Code.FAILED_PRECONDITION,
          "state store is not configured");
    }
  }

  // ---- faults

  @Test
  void unavailableBackendIsUnavailableWhileOtherStoresKeepServing() {
    assertFails(() -> client.get("down", "k"), Status.Code.UNAVAILABLE, "'down'", "'k'", "unreachable");
    assertFails(() -> client.save("down", List.of(Item.of("k", "v"))), Status.Code.UNAVAILABLE, "'down'");
    assertFails(() -> client.delete("down", "k", ""), Status.Code.UNAVAILABLE, "'down'");
    client.save("store", List.of(Item.of("still", "serving")));
    assertThat(client.get("store", "still").data()).isEqualTo("serving");
  }

  @Test
  void unavailableBackendOfANonBlockingStoreIsUnavailable() {
    assertFails(() -> client.get("down_later", "k"), Status.Code.UNAVAILABLE, "'down_later'", "'k'", "unreachable");
    assertFails(() -> client.save("down_later", List.of(Item.of("k", "v"))), Status.Code.UNAVAILABLE, "'down_later'");
    assertFails(() -> client.delete("down_later", "k", ""), Status.Code.UNAVAILABLE, "'down_later'");
  }

  @Test
  void unexpectedFailureOfANonBlockingStoreIsInternalWithoutDetails() {
    for (ThrowingCallable call : List.<ThrowingCallable>of(() -> client.get("broken_later", "k"),
        () -> client.save("broken_later", List.of(Item.of("k", "v"))), () -> client.delete("broken_later", "k", ""))) {
      StatusRuntimeException e = failure(call);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(e.getStatus().getDescription()).contains("'broken_later'").contains("internal error")
          .doesNotContain("secret internal detail", "IllegalStateException", "\tat ", "at io.layotto");
    }
  }

  @Test
  void unexpectedStoreExceptionIsInternalWithoutDetailsOrStackTrace() {
    for (ThrowingCallable call : List.<ThrowingCallable>of(() -> client.get("broken", "k"),
        () -> client.save("broken", List.of(Item.of("k", "v"))), () -> client.bulkGet("broken", List.of("k")),
        () -> client.transact("broken", List.of(new Op("upsert", Item.of("k", "v")))))) {
      StatusRuntimeException e = failure(call);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(e.getStatus().getDescription()).contains("'broken'").contains("internal error")
          .doesNotContain("secret internal detail", "IllegalStateException", "\tat ", "at io.layotto");
    }
  }

  // ---- key prefixes

  @Test
  void appIdPrefixIsAppliedInTheStoreAndInvisibleToTheClient() {
    assertPrefixed("by_appid", byAppId, "app1||");
  }

  @Test
  void storeNamePrefixIsAppliedInTheStoreAndInvisibleToTheClient() {
    assertPrefixed("by_name", byName, "by_name||");
  }

  @Test
  void literalPrefixIsLowerCasedAsLayottoDoes() {
    assertPrefixed("literal", literal, "myprefix||");
  }

  @Test
  void noPrefixKeepsKeysAsTheyAre() {
    client.save("store", List.of(Item.of("bare", "v")));
    assertThat(store.storedKeys()).contains("bare");
  }

  private void assertPrefixed(String storeName, MapStateStore backend, String prefix) {
    client.save(storeName, List.of(Item.of("p1", "1"), Item.of("p2", "2")));
    assertThat(backend.storedKeys()).containsExactlyInAnyOrder(prefix + "p1", prefix + "p2");
    assertThat(client.get(storeName, "p1").data()).isEqualTo("1");
    assertThat(client.bulkGet(storeName, List.of("p1", "p2"))).extracting(BulkGot::key).containsExactly("p1", "p2");
    client.transact(storeName, List.of(new Op("upsert", Item.of("p3", "3")), new Op("delete", Item.of("p1", ""))));
    assertThat(backend.storedKeys()).containsExactlyInAnyOrder(prefix + "p2", prefix + "p3");
    client.delete(storeName, "p2", "");
    client.deleteBulk(storeName, List.of(Item.of("p3", "")));
    assertThat(backend.storedKeys()).isEmpty();
  }

  // ---- other rpcs

  @Test
  void rpcsOfOtherBuildingBlocksAreUnimplemented() {
    assertThat(codeOf(client::callUnimplemented)).isEqualTo(Status.Code.UNIMPLEMENTED);
  }
}
