/** Kafka components. */
@NullMarked
package io.layotto.components.kafka;

import org.jspecify.annotations.NullMarked;
