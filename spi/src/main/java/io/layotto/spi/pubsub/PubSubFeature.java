package io.layotto.spi.pubsub;

/** Optional capabilities a pub/sub component declares; the conformance kit tests exactly these. */
public enum PubSubFeature {
  /** Per-topic publish order is kept for a consumer group. */
  ORDERING,
  /** {@link PubSub#bulkPublish} is native (one round trip), not a loop. */
  BULK_PUBLISH,
  /** The broker expires messages itself from the {@code ttlInSeconds} publish metadata. */
  MESSAGE_TTL
}
