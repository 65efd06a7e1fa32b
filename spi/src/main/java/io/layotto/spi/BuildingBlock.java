package io.layotto.spi;

/** The building blocks, named as the sections of Layotto's {@code grpc_config}. */
public enum BuildingBlock {
  STATE("state"),
  PUBSUB("pub_subs"),
  LOCK("lock"),
  SEQUENCER("sequencer"),
  CONFIGURATION("config_store"),
  FILE("file"),
  SECRETS("secret_store"),
  BINDINGS("bindings");

  private final String configSection;

  BuildingBlock(String configSection) {
    this.configSection = configSection;
  }

  /** The key of this building block's section in {@code grpc_config}. */
  public String configSection() {
    return configSection;
  }
}
