/**
 * Redis components on Lettuce, sharing one way to connect ({@link io.layotto.components.redis.RedisEndpoint}).
 * The state store keeps each key as a hash {@code {data, version}}, the layout of Dapr's and
 * Layotto's Redis state store, so existing data stays readable. The pub/sub component uses Redis
 * Streams with consumer groups, with the entry layout of Dapr's Redis Streams pub/sub
 * ({@code data} field with the payload), so Dapr sidecars and ours can share streams.
 */
@NullMarked
package io.layotto.components.redis;

import org.jspecify.annotations.NullMarked;
