package io.layotto.spi.state;

import io.layotto.spi.Component;
import io.layotto.spi.ComponentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A key/value store. Thread-safe: the runtime calls it from many threads at once. Keys are
 * non-empty strings of any Unicode; values are arbitrary bytes returned unchanged. Concurrency rules
 * are in the {@linkplain io.layotto.spi.state package documentation}.
 *
 * <p>Failures are {@link ComponentException}s; the runtime maps their kind to a gRPC status.
 */
public interface StateStore extends Component {

  /** The optional features this store supports; must equal its factory's capabilities. */
  Set<StateFeature> features();

  /** The value, or empty when the key does not exist (never an error). */
  Optional<StateValue> get(GetRequest request);

  /** Writes one key following the concurrency rules. */
  void set(SetRequest request);

  /** Deletes one key following the concurrency rules. */
  void delete(DeleteRequest request);

  /** Reads many keys; the default reads one by one. Result order follows {@code requests}. */
  default List<BulkGetItem> bulkGet(List<GetRequest> requests) {
    List<BulkGetItem> items = new ArrayList<>(requests.size());
    for (GetRequest request : requests) {
      try {
        items.add(new BulkGetItem(request.key(), get(request).orElse(null), null));
      } catch (ComponentException e) {
        items.add(new BulkGetItem(request.key(), null, e.getMessage()));
      }
    }
    return items;
  }

  /**
   * Writes many keys. Not atomic unless the store says so: the first failure stops the loop and is
   * thrown. Stores override it to batch round trips.
   */
  default void bulkSet(List<SetRequest> requests) {
    for (SetRequest request : requests) {
      set(request);
    }
  }

  /** Deletes many keys; same contract as {@link #bulkSet}. */
  default void bulkDelete(List<DeleteRequest> requests) {
    for (DeleteRequest request : requests) {
      delete(request);
    }
  }

  /**
   * Applies all operations atomically, in order: if any fails (e.g. an etag mismatch) none is
   * visible afterwards and the failure is thrown. Only for stores with
   * {@link StateFeature#TRANSACTIONAL}.
   */
  default void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    throw ComponentException.unsupported("state store does not support transactions");
  }
}
