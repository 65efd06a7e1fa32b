package io.layotto.spi.sequencer;

/**
 * A range of ids reserved for one caller, both ends included.
 *
 * @param first the smallest id of the range, at least 1
 * @param last the largest id, at least {@code first}
 */
public record IdRange(long first, long last) {

  public IdRange {
    if (first < 1 || last < first) {
      throw new IllegalArgumentException("bad id range [" + first + ", " + last + "]");
    }
  }

  /** How many ids the range holds. */
  public long size() {
    return last - first + 1;
  }
}
