package io.layotto.runtime.grpc;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A small test store following the SPI concurrency rules (etags are decimal versions), with its
 * stored keys visible so tests can check what the runtime sent. All methods are synchronized:
 * simplicity over speed.
 */
final class MapStateStore implements StateStore {

  private record Entry(byte[] data, long version, Map<String, String> metadata) {}

  private final Set<StateFeature> features;
  private final Map<String, Entry> entries = new TreeMap<>();
  private long versions;

  MapStateStore(Set<StateFeature> features) {
    this.features = Set.copyOf(features);
  }

  /** The keys as the store received them (prefixes included). */
  synchronized Set<String> storedKeys() {
    return Set.copyOf(entries.keySet());
  }

  synchronized @Nullable Map<String, String> storedMetadata(String storedKey) {
    Entry e = entries.get(storedKey);
    return e == null ? null : e.metadata();
  }

  @Override
  public void init(Metadata metadata) {}

  @Override
  public void close() {}

  @Override
  public Set<StateFeature> features() {
    return features;
  }

  @Override
  public synchronized Optional<StateValue> get(GetRequest request) {
    Entry e = entries.get(request.key());
    return e == null ? Optional.empty() : Optional.of(new StateValue(e.data().clone(), Long.toString(e.version())));
  }

  @Override
  public synchronized void set(SetRequest request) {
    check(request.key(), request.etag(), request.options().firstWrite(), true);
    entries.put(request.key(), new Entry(request.value().clone(), ++versions, request.metadata()));
  }

  @Override
  public synchronized void delete(DeleteRequest request) {
    check(request.key(), request.etag(), false, false);
    entries.remove(request.key());
  }

  @Override
  public synchronized void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    Map<String, Entry> before = new HashMap<>(entries);
    long versionsBefore = versions;
    try {
      for (TransactionalOperation op : operations) {
        switch (op) {
          case TransactionalOperation.Upsert u -> set(u.request());
          case TransactionalOperation.Delete d -> delete(d.request());
        }
      }
    } catch (RuntimeException e) {
      entries.clear();
      entries.putAll(before);
      versions = versionsBefore;
      throw e;
    }
  }

  private void check(String key, @Nullable String etag, boolean firstWrite, boolean write) {
    Entry current = entries.get(key);
    if (etag != null) {
      long expected;
      try {
        expected = Long.parseLong(etag);
      } catch (NumberFormatException e) {
        throw ComponentException.invalidEtag("etag '" + etag + "' of key '" + key + "' is not a number");
      }
      if (current == null || current.version() != expected) {
        throw ComponentException.etagMismatch("etag '" + etag + "' of key '" + key + "' does not match");
      }
    } else if (firstWrite && write && current != null) {
      throw ComponentException.etagMismatch("key '" + key + "' already exists (first-write)");
    }
  }
}
