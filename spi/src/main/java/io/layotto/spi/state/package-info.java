/**
 * The State building block: key/value with etags (optimistic concurrency), consistency hints,
 * TTL and multi-key transactions, as in Layotto's and Dapr's state API.
 *
 * <h2>Concurrency rules every store follows</h2>
 * <ul>
 *   <li>A write or delete that carries an etag succeeds only if the stored etag equals it; otherwise
 *       {@link io.layotto.spi.ComponentException.Kind#ETAG_MISMATCH} (also when the key is absent).
 *       An etag in a format the store never produces is
 *       {@link io.layotto.spi.ComponentException.Kind#INVALID_ETAG}.</li>
 *   <li>A write without an etag under {@link io.layotto.spi.state.Concurrency#FIRST_WRITE} succeeds
 *       only if the key does not exist yet, otherwise ETAG_MISMATCH.</li>
 *   <li>A write without an etag otherwise (last-write, unspecified) is unconditional.</li>
 *   <li>Deleting an absent key without an etag succeeds.</li>
 *   <li>Every successful write produces a new etag; a read returns the current one.</li>
 * </ul>
 */
@NullMarked
package io.layotto.spi.state;

import org.jspecify.annotations.NullMarked;
