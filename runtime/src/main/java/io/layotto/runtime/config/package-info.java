/**
 * Reads Layotto's MOSN-shaped {@code config.json} into immutable records, failing fast with the file,
 * the JSON path and the allowed values.
 */
@NullMarked
package io.layotto.runtime.config;

import org.jspecify.annotations.NullMarked;
