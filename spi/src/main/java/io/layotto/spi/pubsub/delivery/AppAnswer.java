package io.layotto.spi.pubsub.delivery;

/** What the app said about one delivered message (Layotto's and Dapr's {@code TopicEventResponse} status). */
public enum AppAnswer {
  /** Processed: ack it. */
  SUCCESS,
  /** Not processed now: deliver it again later. */
  RETRY,
  /** Never processable: ack it without processing (logged). */
  DROP
}
