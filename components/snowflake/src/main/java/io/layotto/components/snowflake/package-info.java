/**
 * The snowflake sequencer: 64-bit ids made of a millisecond timestamp, a worker id and a per-millisecond
 * sequence, generated in the sidecar without a round trip. Worker ids are configured or leased from a
 * database table so that sidecars sharing it never use the same one at the same time.
 */
@NullMarked
package io.layotto.components.snowflake;

import org.jspecify.annotations.NullMarked;
