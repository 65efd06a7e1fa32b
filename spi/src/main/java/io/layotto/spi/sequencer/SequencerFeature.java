package io.layotto.spi.sequencer;

/** Optional capabilities a sequencer declares; the conformance kit tests exactly these. */
public enum SequencerFeature {
  /** {@link Sequencer#reserve} allocates a range of ids in one backend call. */
  SEGMENTS,
  /**
   * Ids count per key from 1 (a fresh key's first id is 1, or {@code biggerThan + 1}), as counters in
   * Redis or a table do. Without it ids are unique across keys too (e.g. time-based snowflake ids).
   */
  PER_KEY_COUNTER,
  /**
   * Ids live in a backend outside the sidecar: a new instance on the same backend continues above
   * the last id, and instances sharing it never return the same id. Without it (in-memory) every
   * instance counts on its own and starts over.
   */
  SHARED_BACKEND
}
