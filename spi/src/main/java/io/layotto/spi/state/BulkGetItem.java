package io.layotto.spi.state;

import org.jspecify.annotations.Nullable;

/**
 * One key's outcome in a bulk read: {@code value} null and {@code error} null means the key does
 * not exist; a per-key failure goes into {@code error} without failing the whole call.
 */
public record BulkGetItem(String key, @Nullable StateValue value, @Nullable String error) {}
