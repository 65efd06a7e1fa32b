package io.layotto.runtime.testing;

import io.layotto.components.inmemory.InMemoryConfigurationStoreFactory;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.configuration.ConfigurationFeature;
import io.layotto.spi.configuration.ConfigurationItem;
import io.layotto.spi.configuration.ConfigurationListener;
import io.layotto.spi.configuration.ConfigurationQuery;
import io.layotto.spi.configuration.ConfigurationStore;
import io.layotto.spi.configuration.ConfigurationStoreFactory;
import io.layotto.spi.configuration.ConfigurationSubscription;
import io.layotto.spi.configuration.SaveRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Config_store type {@code test-config}: an in-memory store that counts its open subscriptions and
 * remembers the queries it got; metadata {@code failWith} (a {@link ComponentException.Kind}) makes
 * every call fail with that kind.
 */
public final class TestConfigurationStoreFactory implements ConfigurationStoreFactory {

  public static final String TYPE = "test-config";

  /** Every store this factory made, in creation order. */
  public final List<Store> created = new CopyOnWriteArrayList<>();

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.builder()
        .optional("failWith", MetadataSchema.Type.STRING, null, "fail every call with this kind")
        .build();
  }

  @Override
  public Set<ConfigurationFeature> capabilities() {
    return Set.of(ConfigurationFeature.TAGS, ConfigurationFeature.VERSIONS);
  }

  @Override
  public ConfigurationStore create() {
    Store store = new Store();
    created.add(store);
    return store;
  }

  /** The store. */
  public static final class Store implements ConfigurationStore {
    private final ConfigurationStore delegate = new InMemoryConfigurationStoreFactory().create();
    public final AtomicInteger openSubscriptions = new AtomicInteger();
    public final List<ConfigurationQuery> queries = new CopyOnWriteArrayList<>();
    private ComponentException.@Nullable Kind failWith;

    @Override
    public void init(Metadata metadata) {
      delegate.init(metadata);
      failWith = metadata.get("failWith").map(ComponentException.Kind::valueOf).orElse(null);
    }

    private void maybeFail() {
      if (failWith != null) {
        throw new ComponentException(failWith, "backend said no (" + failWith + ")");
      }
    }

    @Override
    public Set<ConfigurationFeature> features() {
      return delegate.features();
    }

    @Override
    public List<ConfigurationItem> get(ConfigurationQuery query) {
      maybeFail();
      queries.add(query);
      return delegate.get(query);
    }

    @Override
    public void save(SaveRequest request) {
      maybeFail();
      delegate.save(request);
    }

    @Override
    public void delete(ConfigurationQuery query) {
      maybeFail();
      queries.add(query);
      delegate.delete(query);
    }

    @Override
    public ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener) {
      maybeFail();
      queries.add(query);
      ConfigurationSubscription subscription = delegate.subscribe(query, listener);
      openSubscriptions.incrementAndGet();
      AtomicInteger closed = new AtomicInteger();
      return () -> {
        if (closed.getAndIncrement() == 0) {
          openSubscriptions.decrementAndGet();
        }
        subscription.close();
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
