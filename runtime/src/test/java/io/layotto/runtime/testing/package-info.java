/** Test doubles: fake state stores whose health and start-up behaviour tests control. */
@NullMarked
package io.layotto.runtime.testing;

import org.jspecify.annotations.NullMarked;
