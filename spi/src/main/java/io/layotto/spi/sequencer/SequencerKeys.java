package io.layotto.spi.sequencer;

import io.layotto.spi.ComponentException;

/** Checks shared by every sequencer, so all reject the same inputs with the same words. */
public final class SequencerKeys {

  private SequencerKeys() {}

  /** @throws ComponentException INVALID_ARGUMENT when the key is empty */
  public static String requireKey(String key) {
    if (key.isEmpty()) {
      throw ComponentException.invalidArgument("sequencer key is empty");
    }
    return key;
  }

  /** @throws ComponentException INVALID_ARGUMENT when the size is below 1 */
  public static int requireSize(int size) {
    if (size < 1) {
      throw ComponentException.invalidArgument("range size is " + size + ", expected at least 1");
    }
    return size;
  }

  /** The RESOURCE_EXHAUSTED failure of a key whose ids ran out. */
  public static ComponentException exhausted(String key, String detail) {
    return new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED,
        "the ids of sequencer key '" + key + "' are used up (int64 overflow): " + detail);
  }
}
