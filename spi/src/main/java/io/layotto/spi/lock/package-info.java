/**
 * The distributed lock building block: a non-blocking, non-reentrant lock per resource with a
 * time-to-live, released or extended only by its owner, as in Layotto's and Dapr's lock API.
 *
 * <h2>Rules every lock store follows</h2>
 * <ul>
 *   <li>{@link io.layotto.spi.lock.LockStore#tryLock} never waits: it returns false while anyone,
 *       the same owner included, holds a live lock on the resource.</li>
 *   <li>A lock whose time-to-live has passed is free: another owner may take it, and its old
 *       owner's unlock or keep-alive answers {@link io.layotto.spi.lock.LockStatus#LOCK_UNEXIST}.</li>
 *   <li>Unlock and keep-alive check the owner atomically with the change they make, so a lock taken
 *       over after expiry is never released or extended by its former owner.</li>
 *   <li>A non-positive or over-long time-to-live, an empty resource id or an empty owner is
 *       {@link io.layotto.spi.ComponentException.Kind#INVALID_ARGUMENT} (see {@link io.layotto.spi.lock.LockRequests}).</li>
 * </ul>
 */
@NullMarked
package io.layotto.spi.lock;

import org.jspecify.annotations.NullMarked;
