/**
 * The runtime side of the Configuration building block: request validation and defaults shared by
 * the Layotto and Dapr APIs ({@link io.layotto.runtime.configuration.ConfigurationApi}), Layotto's
 * bidirectional subscription stream and Dapr's server-stream subscriptions with their ids.
 */
@NullMarked
package io.layotto.runtime.configuration;

import org.jspecify.annotations.NullMarked;
