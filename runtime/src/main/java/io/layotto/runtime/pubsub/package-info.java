/**
 * The runtime side of pub/sub: the CloudEvents envelope, publishing with validation, and delivery of
 * subscribed topics to the app (AppCallback) or to streaming subscribers, with retries, backoff,
 * bounded in-flight messages and dead-letter topics.
 */
@NullMarked
package io.layotto.runtime.pubsub;

import org.jspecify.annotations.NullMarked;
