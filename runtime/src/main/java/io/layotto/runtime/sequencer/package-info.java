/**
 * The runtime side of the Sequencer building block: Layotto's {@code GetNextId} with its
 * validation and key prefixing, and the WEAK mode's in-sidecar segment cache.
 */
@NullMarked
package io.layotto.runtime.sequencer;

import org.jspecify.annotations.NullMarked;
