/**
 * RabbitMQ components: the pub/sub of type {@code rabbitmq} (amqp-client).
 *
 * <h2>Topology (shared with Dapr's {@code pubsub.rabbitmq})</h2>
 * <ul>
 *   <li>Each topic is an exchange of the same name, of kind {@code exchangeKind} (fanout by default),
 *       declared {@code durable} / auto-delete = {@code deletedWhenUnused}.</li>
 *   <li>Each consumer group is a queue {@code <consumerGroup>-<topic>} (subscription metadata
 *       {@code queueName} overrides it), declared with {@code x-queue-type=classic} (or the subscription's
 *       {@code queueType}), bound with the subscription's {@code routingKey}s (default: the empty key).</li>
 *   <li>With {@code enableDeadLetter} (component or subscription metadata) the queue gets
 *       {@code x-dead-letter-exchange = dlx-<queue>}, a durable fanout exchange bound to the durable
 *       queue {@code dlq-<queue>}: expired messages, messages dropped by {@code maxLen}/{@code maxLenBytes},
 *       and, with {@code requeueInFailure=false}, messages the app failed go there.</li>
 * </ul>
 * RabbitMQ refuses to declare an existing exchange or queue with other settings, so a Dapr sidecar
 * sharing the broker must use the same {@code durable}, {@code deletedWhenUnused} (Dapr defaults it to
 * true, this component to false), {@code exchangeKind}, {@code maxLen}, {@code maxLenBytes} and
 * {@code enableDeadLetter} values; a mismatch fails the publish or subscribe with INVALID_ARGUMENT
 * naming the exchange or queue.
 *
 * <h2>Delivery</h2>
 * Publishing uses publisher confirms and persistent messages by default; {@code ttlInSeconds} becomes the
 * per-message expiration. Each subscription has its own channel with basic.qos = maxInFlight (capped by
 * {@code prefetchCount}) and manual acks: ack when the handler's stage completed normally, basic.nack
 * with requeue after {@code requeueDelay} when it failed. {@code autoAck=true} is refused. Per-topic
 * ordering is not declared: competing consumers and requeues reorder messages.
 *
 * <h2>Connection</h2>
 * One connection per component with amqp-client's automatic recovery every {@code reconnectWait}; its
 * topology recovery is off because the component declares its exchanges and queues itself after each
 * recovery (and after the broker cancelled a consumer because its queue was deleted).
 */
@NullMarked
package io.layotto.components.rabbitmq;

import org.jspecify.annotations.NullMarked;
