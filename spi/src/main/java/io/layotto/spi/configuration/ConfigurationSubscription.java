package io.layotto.spi.configuration;

/** A live subscription. Closing it stops its events (and no other subscription's); idempotent. */
public interface ConfigurationSubscription extends AutoCloseable {

  @Override
  void close();
}
