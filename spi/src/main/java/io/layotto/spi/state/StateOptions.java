package io.layotto.spi.state;

/** Per-request options. */
public record StateOptions(Concurrency concurrency, Consistency consistency) {

  public static final StateOptions DEFAULT = new StateOptions(Concurrency.UNSPECIFIED, Consistency.UNSPECIFIED);

  public boolean firstWrite() {
    return concurrency == Concurrency.FIRST_WRITE;
  }
}
