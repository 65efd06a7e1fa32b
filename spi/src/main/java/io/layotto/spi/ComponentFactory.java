package io.layotto.spi;

import java.util.Set;

/**
 * Creates components of one type. Each building block has its own factory interface (e.g.
 * {@link io.layotto.spi.state.StateStoreFactory}) listed in {@code META-INF/services}; the runtime
 * finds the factory by {@link #type()} (Layotto's type names: {@code redis}, {@code in-memory}, ...).
 *
 * @param <C> the component interface this factory produces
 */
public interface ComponentFactory<C extends Component> {

  /** The type name used in config files, e.g. {@code "redis"}. Unique within a building block. */
  String type();

  /** The metadata keys this type understands; the runtime validates configs against it. */
  MetadataSchema metadataSchema();

  /** Optional features the created components support (e.g. etag, transactions, ttl). */
  Set<? extends Enum<?>> capabilities();

  /** A new, not yet initialised component. */
  C create();
}
