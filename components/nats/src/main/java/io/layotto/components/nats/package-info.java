/** NATS components. */
@NullMarked
package io.layotto.components.nats;

import org.jspecify.annotations.NullMarked;
