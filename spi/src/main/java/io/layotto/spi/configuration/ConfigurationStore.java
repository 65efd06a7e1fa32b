package io.layotto.spi.configuration;

import io.layotto.spi.Component;
import java.util.List;
import java.util.Set;

/**
 * A configuration store (Layotto's {@code config_store}). Thread-safe. The contract is in the
 * {@linkplain io.layotto.spi.configuration package documentation}; failures are
 * {@link io.layotto.spi.ComponentException}s.
 */
public interface ConfigurationStore extends Component {

  /** Group used when a request leaves it blank, as in Layotto's etcd and in-memory stores. */
  String DEFAULT_GROUP = "default";
  /** Label used when a request leaves it blank. */
  String DEFAULT_LABEL = "default";

  /** The optional features this store supports; must equal its factory's capabilities. */
  Set<ConfigurationFeature> features();

  /**
   * The existing items the query names, in key order for {@link ConfigurationQuery#allKeys()} and
   * in the query's key order otherwise; keys without an item are left out.
   */
  List<ConfigurationItem> get(ConfigurationQuery query);

  /** Creates or replaces the items. */
  void save(SaveRequest request);

  /** Removes the named items ({@code query.keys()} is never empty); missing ones are no error. */
  void delete(ConfigurationQuery query);

  /**
   * Starts reporting changes of the items the query names to {@code listener}; returns once the
   * subscription is live, so that every change made after the return is reported. Current values
   * are not reported (read them with {@link #get}).
   */
  ConfigurationSubscription subscribe(ConfigurationQuery query, ConfigurationListener listener);
}
