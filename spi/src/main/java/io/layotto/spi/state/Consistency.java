package io.layotto.spi.state;

/** Read/write consistency hint (Dapr's {@code eventual} / {@code strong}); stores may ignore it. */
public enum Consistency { UNSPECIFIED, EVENTUAL, STRONG }
