package io.layotto.spi.pubsub.delivery;

import org.jspecify.annotations.Nullable;

/**
 * Completes a delivery stage exceptionally when the app did not take a message after every attempt
 * and no dead-letter topic took it either: the component leaves it unacked, so the broker delivers
 * it again later.
 */
public final class UndeliveredException extends RuntimeException {

  public UndeliveredException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
