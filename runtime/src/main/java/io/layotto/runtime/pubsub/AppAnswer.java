package io.layotto.runtime.pubsub;

/** What the app said about one delivered event (TopicEventResponse status of both APIs). */
public enum AppAnswer {
  /** Processed: ack. */
  SUCCESS,
  /** Not processed now: deliver again after a backoff. */
  RETRY,
  /** Never processable: ack and log. */
  DROP;

  /**
   * The answer for a status number; anything unknown is RETRY (a malformed answer must not lose the
   * message).
   */
  public static AppAnswer ofStatusNumber(int number) {
    return switch (number) {
      case 0 -> SUCCESS;
      case 2 -> DROP;
      default -> RETRY;
    };
  }
}
