package io.layotto.runtime.grpc;

import io.grpc.ManagedChannel;
import io.layotto.spi.state.Concurrency;
import java.util.List;
import java.util.Map;

/**
 * The state rpcs in API-neutral form, so one contract test drives both the Layotto and the Dapr
 * service through their own generated stubs.
 */
interface StateClient {

  record Item(String key, String value, String etag, Map<String, String> metadata, Concurrency concurrency) {
    static Item of(String key, String value) {
      return new Item(key, value, "", Map.of(), Concurrency.UNSPECIFIED);
    }

    Item etag(String etag) {
      return new Item(key, value, etag, metadata, concurrency);
    }

    Item metadata(Map<String, String> metadata) {
      return new Item(key, value, etag, metadata, concurrency);
    }

    Item firstWrite() {
      return new Item(key, value, etag, metadata, Concurrency.FIRST_WRITE);
    }
  }

  record Got(String data, String etag) {}

  record BulkGot(String key, String data, String etag, String error) {}

  record Op(String type, Item item) {}

  Got get(String store, String key);

  List<BulkGot> bulkGet(String store, List<String> keys);

  void save(String store, List<Item> items);

  void delete(String store, String key, String etag);

  void deleteBulk(String store, List<Item> items);

  void transact(String store, List<Op> operations);

  /** Calls an rpc of the service that this build does not implement. */
  void callUnimplemented();

  interface Factory {
    StateClient create(ManagedChannel channel);
  }
}
