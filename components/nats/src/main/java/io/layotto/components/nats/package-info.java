/** NATS components: the JetStream pub/sub (types {@code jetstream} and {@code nats}). */
@NullMarked
package io.layotto.components.nats;

import org.jspecify.annotations.NullMarked;
