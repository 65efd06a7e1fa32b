/**
 * The component model every backend implements: one interface per building block, discovered with
 * {@link java.util.ServiceLoader} through its factory, configured with Layotto's string metadata.
 * Components depend on this module only, never on the runtime.
 */
@NullMarked
package io.layotto.spi;

import org.jspecify.annotations.NullMarked;
