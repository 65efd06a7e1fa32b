package io.layotto.spi.pubsub;

/** A live subscription. Closing it stops delivery; messages not yet completed stay unacked. */
public interface Subscription extends AutoCloseable {

  @Override
  void close();
}
