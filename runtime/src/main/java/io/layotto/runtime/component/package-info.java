/** Loading, validating and holding the configured components. */
@NullMarked
package io.layotto.runtime.component;

import org.jspecify.annotations.NullMarked;
