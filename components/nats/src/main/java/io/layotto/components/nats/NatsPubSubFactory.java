package io.layotto.components.nats;

/** The same JetStream pub/sub under the type {@code nats}, for configs that name the broker rather than its API. */
public final class NatsPubSubFactory extends JetStreamPubSubFactory {

  public static final String TYPE = "nats";

  @Override
  public String type() {
    return TYPE;
  }
}
