package io.layotto.runtime.grpc.state;

import io.grpc.StatusRuntimeException;
import io.layotto.runtime.component.LoadedComponents;
import io.layotto.runtime.grpc.ApiErrors;
import io.layotto.runtime.grpc.ComponentCalls;
import io.layotto.spi.ComponentException;
import io.layotto.spi.state.BulkGetItem;
import io.layotto.spi.state.Consistency;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.NonBlockingStateStore;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The state API as both gRPC services expose it, in plain Java: the services convert their protos
 * to SPI requests and call this. Here, once for both, the store is resolved, keys are validated
 * and prefixed (see {@link KeyPrefix}), the store is called and its failures become gRPC statuses.
 *
 * <p>Every method throws {@link StatusRuntimeException} only, and the futures of the {@code ...Later}
 * methods fail with it only. Field names in messages are those of the protos, which Layotto and
 * Dapr share ({@code store_name}, {@code states[2].key}, ...).
 *
 * <p>The {@code ...Later} methods never block the calling thread, so the gRPC services call them
 * on the network event loop: a {@link NonBlockingStateStore} is called in place, any other store on
 * the {@code blocking} executor given at construction.
 */
public final class StateApi {

  /** Dapr's transaction operation types, which Layotto inherited. */
  public static final String UPSERT = "upsert";
  public static final String DELETE = "delete";

  /**
   * One operation of a transaction as the client sent it; {@code request} is null when the client
   * left it unset, and such operations are skipped as Layotto does.
   */
  public record TransactionItem(String operationType, @Nullable SetRequest request) {}

  private final LoadedComponents components;
  private final Executor blocking;
  private final Map<String, KeyPrefix> prefixes = new HashMap<>();

  /**
   * For callers that may block themselves: the {@code ...Later} methods call blocking stores in place.
   *
   * @throws IllegalArgumentException when a store's key prefix setting is unusable
   */
  public StateApi(LoadedComponents components) {
    this(components, Runnable::run);
  }

  /**
   * @param blocking runs calls of stores that may block (not {@link NonBlockingStateStore}) for the
   *     {@code ...Later} methods
   * @throws IllegalArgumentException when a store's key prefix setting is unusable
   */
  public StateApi(LoadedComponents components, Executor blocking) {
    this.components = components;
    this.blocking = blocking;
    for (String name : components.stateStoreNames()) {
      prefixes.put(name, KeyPrefix.of(components.stateKeyPrefix(name), name, components.appId()));
    }
  }

  /** Reads one key; empty when it does not exist. */
  public Optional<StateValue> get(String storeName, GetRequest request) {
    Target target = target("store_name", storeName);
    checkKey("key", request.key());
    GetRequest stored = new GetRequest(target.keys.apply(request.key()), request.consistency(), request.metadata());
    return target.call(() -> "GetState of key '" + request.key() + "'", () -> target.store.get(stored));
  }

  /** {@link #get} for the event loop: validates in place and answers when the store does. */
  public CompletableFuture<Optional<StateValue>> getLater(String storeName, GetRequest request) {
    Target target = target("store_name", storeName);
    checkKey("key", request.key());
    GetRequest stored = new GetRequest(target.keys.apply(request.key()), request.consistency(), request.metadata());
    return target.callLater(() -> "GetState of key '" + request.key() + "'", blocking,
        store -> store.getAsync(stored), store -> store.get(stored));
  }

  /** {@link #save} for the event loop. */
  public CompletableFuture<Void> saveLater(String storeName, List<SetRequest> requests) {
    Target target = target("store_name", storeName);
    List<SetRequest> stored = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      stored.add(prefixed(target, requests.get(i), "states[" + i + "].key"));
    }
    if (stored.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return target.callLater(() -> "SaveState of " + describeKeys(requests.stream().map(SetRequest::key).toList()),
        blocking, store -> store.bulkSetAsync(stored), store -> {
          store.bulkSet(stored);
          return null;
        });
  }

  /** {@link #delete} for the event loop. */
  public CompletableFuture<Void> deleteLater(String storeName, DeleteRequest request) {
    Target target = target("store_name", storeName);
    DeleteRequest stored = prefixed(target, request, "key");
    return target.callLater(() -> "DeleteState of key '" + request.key() + "'", blocking,
        store -> store.deleteAsync(stored), store -> {
          store.delete(stored);
          return null;
        });
  }

  /**
   * Reads many keys through the store's bulk read; missing keys have a null value, per-key failures
   * an error text. Result keys are the client's keys (prefix removed).
   */
  public List<BulkGetItem> bulkGet(String storeName, List<String> keys, Map<String, String> metadata) {
    Target target = target("store_name", storeName);
    List<GetRequest> requests = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      checkKey("keys[" + i + "]", keys.get(i));
      requests.add(new GetRequest(target.keys.apply(keys.get(i)), Consistency.UNSPECIFIED, metadata));
    }
    if (requests.isEmpty()) {
      return List.of();
    }
    List<BulkGetItem> items = target.call(() -> "GetBulkState of " + describeKeys(keys),
        () -> target.store.bulkGet(requests));
    List<BulkGetItem> result = new ArrayList<>(items.size());
    for (BulkGetItem item : items) {
      result.add(new BulkGetItem(target.keys.strip(item.key()), item.value(), item.error()));
    }
    return result;
  }

  /** Writes all items with one bulk write of the store. */
  public void save(String storeName, List<SetRequest> requests) {
    Target target = target("store_name", storeName);
    List<SetRequest> stored = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      stored.add(prefixed(target, requests.get(i), "states[" + i + "].key"));
    }
    if (stored.isEmpty()) {
      return;
    }
    target.run(() -> "SaveState of " + describeKeys(requests.stream().map(SetRequest::key).toList()),
        () -> target.store.bulkSet(stored));
  }

  public void delete(String storeName, DeleteRequest request) {
    Target target = target("store_name", storeName);
    DeleteRequest stored = prefixed(target, request, "key");
    target.run(() -> "DeleteState of key '" + request.key() + "'", () -> target.store.delete(stored));
  }

  public void deleteBulk(String storeName, List<DeleteRequest> requests) {
    Target target = target("store_name", storeName);
    List<DeleteRequest> stored = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      stored.add(prefixed(target, requests.get(i), "states[" + i + "].key"));
    }
    if (stored.isEmpty()) {
      return;
    }
    target.run(() -> "DeleteBulkState of " + describeKeys(requests.stream().map(DeleteRequest::key).toList()),
        () -> target.store.bulkDelete(stored));
  }

  /** Applies the operations atomically; the store must declare {@link StateFeature#TRANSACTIONAL}. */
  public void transact(String storeName, List<TransactionItem> items, Map<String, String> metadata) {
    Target target = target("storeName", storeName);
    if (!target.store.features().contains(StateFeature.TRANSACTIONAL)) {
      throw ApiErrors.unimplemented("state store '" + target.name + "' does not support transactions"
          + " (ExecuteStateTransaction needs a store with the TRANSACTIONAL capability)");
    }
    List<TransactionalOperation> operations = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      TransactionItem item = items.get(i);
      SetRequest request = item.request();
      if (request == null) {
        continue;
      }
      String keyField = "operations[" + i + "].request.key";
      operations.add(switch (item.operationType()) {
        case UPSERT -> new TransactionalOperation.Upsert(prefixed(target, request, keyField));
        case DELETE -> new TransactionalOperation.Delete(prefixed(target,
            new DeleteRequest(request.key(), request.etag(), request.metadata(), request.options()), keyField));
        default -> throw ApiErrors.invalidArgument("operations[" + i + "].operationType is '" + item.operationType()
            + "', expected one of [" + UPSERT + ", " + DELETE + "]");
      });
    }
    if (operations.isEmpty()) {
      return;
    }
    target.run(() -> "ExecuteStateTransaction of "
        + describeKeys(operations.stream().map(op -> target.keys.strip(op.key())).toList()),
        () -> target.store.transact(operations, metadata));
  }

  private static SetRequest prefixed(Target target, SetRequest r, String keyField) {
    checkKey(keyField, r.key());
    return new SetRequest(target.keys.apply(r.key()), r.value(), r.etag(), r.metadata(), r.options());
  }

  private static DeleteRequest prefixed(Target target, DeleteRequest r, String keyField) {
    checkKey(keyField, r.key());
    return new DeleteRequest(target.keys.apply(r.key()), r.etag(), r.metadata(), r.options());
  }

  private Target target(String field, String storeName) {
    if (components.stateStoreNames().isEmpty()) {
      throw ApiErrors.failedPrecondition("state store is not configured");
    }
    if (storeName.isEmpty()) {
      throw ApiErrors.invalidArgument(field + " is empty; configured state stores: " + components.stateStoreNames());
    }
    StateStore store = components.stateStore(storeName).orElseThrow(() -> ApiErrors.invalidArgument(
        "state store '" + storeName + "' (" + field + ") is not found; configured state stores: "
            + components.stateStoreNames()));
    return new Target(storeName, store, prefixes.getOrDefault(storeName, KeyPrefix.NONE));
  }

  private static void checkKey(String field, String key) {
    if (key.isEmpty()) {
      throw ApiErrors.invalidArgument(field + " is empty");
    }
    if (key.contains(KeyPrefix.SEPARATOR)) {
      throw ApiErrors.invalidArgument(field + " is '" + key + "', which must not contain '" + KeyPrefix.SEPARATOR + "'");
    }
  }

  private static String describeKeys(List<String> keys) {
    return keys.size() == 1 ? "key '" + keys.getFirst() + "'" : keys.size() + " keys";
  }

  /** A store resolved for one call. */
  private record Target(String name, StateStore store, KeyPrefix keys) {

    void run(Supplier<String> what, Runnable body) {
      call(what, () -> {
        body.run();
        return Boolean.TRUE;
      });
    }

    /**
     * Runs a store call; its failures become statuses naming the operation, key and store
     * ({@code what} is only evaluated on failure, keeping the hot path free of string building).
     */
    <T> T call(Supplier<String> what, Supplier<T> body) {
      try {
        return body.get();
      } catch (RuntimeException e) {
        throw ComponentCalls.failure(e, context(what));
      }
    }

    /** {@link #call} without blocking the caller; see {@link ComponentCalls#later}. */
    <T> CompletableFuture<T> callLater(Supplier<String> what, Executor executor,
        Function<NonBlockingStateStore, CompletableFuture<T>> nonBlocking, Function<StateStore, T> blocking) {
      return ComponentCalls.later(store, NonBlockingStateStore.class, executor, nonBlocking, blocking, context(what));
    }

    private Supplier<String> context(Supplier<String> what) {
      return () -> what.get() + " in state store '" + name + "'";
    }
  }
}
