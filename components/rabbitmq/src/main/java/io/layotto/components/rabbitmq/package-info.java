/** RabbitMQ components. */
@NullMarked
package io.layotto.components.rabbitmq;

import org.jspecify.annotations.NullMarked;
