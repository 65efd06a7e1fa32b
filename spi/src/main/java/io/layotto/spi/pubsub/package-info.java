/**
 * The Pub/Sub building block: publish to a topic, subscribe with a handler, at-least-once delivery.
 *
 * <h2>Delivery contract every component follows</h2>
 * <ul>
 *   <li>A message is removed from the broker (acked) only after the handler's stage completed
 *       normally. A stage that completes exceptionally, or never completes before the subscription
 *       is closed, leaves the message to be delivered again (to this or another consumer of the
 *       same group), also across sidecar and broker restarts where the broker is durable.</li>
 *   <li>At most {@link io.layotto.spi.pubsub.SubscribeRequest#maxInFlight()} messages of one
 *       subscription are handed out and not yet completed at any time (back-pressure: the component
 *       stops fetching rather than buffering without bound).</li>
 *   <li>Subscriptions with the same {@link io.layotto.spi.pubsub.SubscribeRequest#consumerGroup()}
 *       share a topic's messages (competing consumers); different groups each get every message.</li>
 *   <li>Payload bytes are delivered exactly as published; the runtime puts the CloudEvents envelope
 *       inside them, so ids survive redelivery.</li>
 *   <li>With {@link io.layotto.spi.pubsub.PubSubFeature#ORDERING}, messages of one topic published by
 *       one publisher are handed to a group in publish order, one at a time per ordering key.</li>
 * </ul>
 * Retries with backoff, dead-letter topics and the app protocol live in the runtime (which uses
 * {@link io.layotto.spi.pubsub.delivery.RetryingDelivery}), not in components.
 */
@NullMarked
package io.layotto.spi.pubsub;

import org.jspecify.annotations.NullMarked;
