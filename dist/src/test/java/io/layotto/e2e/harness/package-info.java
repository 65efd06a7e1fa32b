/** Test harness: starts and stops sidecar and private Redis processes on free ports, never leaving them behind. */
@NullMarked
package io.layotto.e2e.harness;

import org.jspecify.annotations.NullMarked;
