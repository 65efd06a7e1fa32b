/**
 * The lock API shared by Layotto's {@code TryLock}/{@code Unlock}/{@code LockKeepAlive} and Dapr's
 * {@code TryLockAlpha1}/{@code UnlockAlpha1}: request checks, resource id prefixing and the calls
 * to the configured {@link io.layotto.spi.lock.LockStore}s.
 */
@NullMarked
package io.layotto.runtime.lock;

import org.jspecify.annotations.NullMarked;
