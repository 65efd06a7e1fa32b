package io.layotto.components.redis;

import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.MetadataSchema.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The pub/sub settings of the Redis Streams component, under Dapr's metadata names. A bare number
 * in a duration counts milliseconds, as in Dapr.
 *
 * @param processingTimeout how long a message may stay pending (delivered, not acked) before any
 *     consumer of the group claims it; covers consumers that died or hang
 * @param redeliverInterval how long after its handler failed a subscription delivers a message again
 * @param queueDepth the most entries one read or claim fetches (further bounded by free in-flight slots)
 * @param concurrency an upper bound on a subscription's in-flight messages, below the runtime's
 *     {@code maxInFlight}; empty when not configured
 * @param maxLenApprox streams are trimmed to about this many entries on publish; empty for no limit
 */
record RedisStreamsSettings(Duration processingTimeout, Duration redeliverInterval, int queueDepth,
    OptionalInt concurrency, OptionalLong maxLenApprox) {

  static final String CONSUMER_ID = "consumerID";
  static final String PROCESSING_TIMEOUT = "processingTimeout";
  static final String REDELIVER_INTERVAL = "redeliverInterval";
  static final String QUEUE_DEPTH = "queueDepth";
  static final String CONCURRENCY = "concurrency";
  static final String MAX_LEN_APPROX = "maxLenApprox";

  static final Duration DEFAULT_PROCESSING_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_REDELIVER_INTERVAL = Duration.ofSeconds(15);
  static final int DEFAULT_QUEUE_DEPTH = 100;

  /** The connection keys of every Redis component plus the stream keys. */
  static final MetadataSchema SCHEMA = RedisSettings.connectionSchema()
      .optional(CONSUMER_ID, Type.STRING, null,
          "consumer group; the runtime fills it (Layotto: the app id) and passes it with each subscription")
      .optional(PROCESSING_TIMEOUT, Type.DURATION, "60s",
          "a message pending (delivered, not acked) this long is claimed and delivered again by a consumer of the"
              + " group, so messages of dead or hung consumers are not lost; must be above 0")
      .optional(REDELIVER_INTERVAL, Type.DURATION, "15s",
          "delay before a message whose handler failed is delivered again to the same subscription; must be above 0")
      .optional(QUEUE_DEPTH, Type.INT, String.valueOf(DEFAULT_QUEUE_DEPTH),
          "most entries fetched by one read (XREADGROUP COUNT); never more than the free in-flight slots")
      .optional(CONCURRENCY, Type.INT, null,
          "caps the in-flight messages of each subscription below the runtime's maxInFlight; unset means no cap")
      .optional(MAX_LEN_APPROX, Type.INT, null,
          "trim each stream to about this many entries on publish (XADD MAXLEN ~); unset or 0 means no limit")
      .build();

  /** Reads and checks the stream keys; every bad value is an INVALID_ARGUMENT naming key and value. */
  static RedisStreamsSettings from(Metadata metadata) {
    Duration processing = RedisSettings.positive(metadata, PROCESSING_TIMEOUT,
        metadata.getDuration(PROCESSING_TIMEOUT, DEFAULT_PROCESSING_TIMEOUT, ChronoUnit.MILLIS));
    Duration redeliver = RedisSettings.positive(metadata, REDELIVER_INTERVAL,
        metadata.getDuration(REDELIVER_INTERVAL, DEFAULT_REDELIVER_INTERVAL, ChronoUnit.MILLIS));
    int queueDepth = metadata.getInt(QUEUE_DEPTH, DEFAULT_QUEUE_DEPTH);
    if (queueDepth < 1) {
      throw RedisSettings.invalid(metadata, QUEUE_DEPTH, String.valueOf(queueDepth), "1 or more");
    }
    OptionalInt concurrency = OptionalInt.empty();
    if (metadata.get(CONCURRENCY).isPresent()) {
      int value = metadata.getInt(CONCURRENCY, 1);
      if (value < 1) {
        throw RedisSettings.invalid(metadata, CONCURRENCY, String.valueOf(value), "1 or more");
      }
      concurrency = OptionalInt.of(value);
    }
    long maxLen = metadata.getLong(MAX_LEN_APPROX, 0);
    if (maxLen < 0) {
      throw RedisSettings.invalid(metadata, MAX_LEN_APPROX, String.valueOf(maxLen), "0 (no limit) or more");
    }
    return new RedisStreamsSettings(processing, redeliver, queueDepth, concurrency,
        maxLen == 0 ? OptionalLong.empty() : OptionalLong.of(maxLen));
  }

  /** The in-flight bound of a subscription: the runtime's, lowered by {@code concurrency} when set. */
  int maxInFlight(int requested) {
    return concurrency.isPresent() ? Math.min(requested, concurrency.getAsInt()) : requested;
  }
}
