package io.layotto.spi.sequencer;

import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import java.util.Map;
import java.util.Set;

/**
 * Hands out ids per key. Thread-safe. The contract is in the
 * {@linkplain io.layotto.spi.sequencer package documentation}; failures are
 * {@link ComponentException}s (RESOURCE_EXHAUSTED when a key's ids run out, UNAVAILABLE when the
 * backend cannot be reached, INVALID_ARGUMENT for an empty key or a bad range size).
 */
public interface Sequencer extends io.layotto.spi.Component {

  /** The optional features this component supports; must equal its factory's capabilities. */
  Set<SequencerFeature> features();

  /** Initialises without {@code biggerThan} settings. */
  @Override
  default void init(Metadata metadata) {
    init(metadata, Map.of());
  }

  /**
   * Connects and prepares the backend so that every id later returned for a key of
   * {@code biggerThan} is greater than its value (Layotto's {@code biggerThan} config). Ids already
   * above it stay as they are; a value this component can never honour fails here with
   * INVALID_ARGUMENT naming key and value.
   *
   * @param biggerThan key (as stored) to the value every id of that key must exceed
   */
  void init(Metadata metadata, Map<String, Long> biggerThan);

  /** The next id of {@code key}, greater than every id handed out for it before (STRONG). */
  long nextId(String key);

  /**
   * Reserves {@code size} consecutive ids of {@code key} in one step, all greater than every id handed
   * out before for it; later ids and ranges are greater than the whole range.
   *
   * @throws ComponentException UNSUPPORTED without {@link SequencerFeature#SEGMENTS}; INVALID_ARGUMENT
   *     when {@code size < 1}
   */
  default IdRange reserve(String key, int size) {
    throw ComponentException.unsupported("this sequencer does not reserve ranges of ids (no SEGMENTS feature)");
  }
}
