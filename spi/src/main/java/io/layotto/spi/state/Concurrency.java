package io.layotto.spi.state;

/** Write concurrency mode of a request (Dapr's {@code first-write} / {@code last-write}). */
public enum Concurrency { UNSPECIFIED, FIRST_WRITE, LAST_WRITE }
