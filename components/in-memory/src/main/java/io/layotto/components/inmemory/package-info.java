/**
 * In-process components, the embedded default when no backend is configured. Data lives in the
 * sidecar's heap and is lost when it stops.
 */
@NullMarked
package io.layotto.components.inmemory;

import org.jspecify.annotations.NullMarked;
