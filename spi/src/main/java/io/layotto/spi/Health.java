package io.layotto.spi;

import org.jspecify.annotations.Nullable;

/** Result of {@link Component#checkHealth()}. */
public record Health(Status status, @Nullable String reason) {

  public enum Status { UP, DOWN }

  private static final Health UP = new Health(Status.UP, null);

  public static Health up() {
    return UP;
  }

  public static Health down(String reason) {
    return new Health(Status.DOWN, reason);
  }

  public boolean isUp() {
    return status == Status.UP;
  }
}
