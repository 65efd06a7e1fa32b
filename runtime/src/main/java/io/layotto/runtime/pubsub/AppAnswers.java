package io.layotto.runtime.pubsub;

import io.layotto.spi.pubsub.delivery.AppAnswer;

/** Reading the app's {@code TopicEventResponse} status numbers (the same in both APIs). */
public final class AppAnswers {

  private AppAnswers() {}

  /** SUCCESS = 0, DROP = 2; anything else is RETRY, so a malformed answer never loses a message. */
  public static AppAnswer ofStatusNumber(int number) {
    return switch (number) {
      case 0 -> AppAnswer.SUCCESS;
      case 2 -> AppAnswer.DROP;
      default -> AppAnswer.RETRY;
    };
  }
}
