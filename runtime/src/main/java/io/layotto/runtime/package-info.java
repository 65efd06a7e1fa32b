/** The sidecar: configuration, component loading, gRPC APIs, actuator and CLI. */
@NullMarked
package io.layotto.runtime;

import org.jspecify.annotations.NullMarked;
