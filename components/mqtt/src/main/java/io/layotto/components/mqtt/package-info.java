/** MQTT components. */
@NullMarked
package io.layotto.components.mqtt;

import org.jspecify.annotations.NullMarked;
