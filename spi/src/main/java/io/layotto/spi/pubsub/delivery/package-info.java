/**
 * What happens between a component handing out a message and the app answering it: the app's
 * {@link io.layotto.spi.pubsub.delivery.AppAnswer}, retries with exponential backoff, and the
 * dead-letter topic after the last attempt ({@link io.layotto.spi.pubsub.delivery.DeliveryPolicy},
 * {@link io.layotto.spi.pubsub.delivery.RetryingDelivery}). Shared by the runtime and the pub/sub
 * conformance kit, so every component is checked with the retry logic the sidecar really uses.
 */
@NullMarked
package io.layotto.spi.pubsub.delivery;

import org.jspecify.annotations.NullMarked;
