/** The actuator HTTP listener: liveness, readiness (from cached background health checks) and info. */
@NullMarked
package io.layotto.runtime.actuator;

import org.jspecify.annotations.NullMarked;
