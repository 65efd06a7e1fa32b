/**
 * Redis components on Lettuce. The state store keeps each key as a hash {@code {data, version}},
 * the layout of Dapr's and Layotto's Redis state store, so existing data stays readable.
 */
@NullMarked
package io.layotto.components.redis;

import org.jspecify.annotations.NullMarked;
