/** End-to-end tests: the real sidecar in a child process, driven by real clients over the network. */
@NullMarked
package io.layotto.e2e;

import org.jspecify.annotations.NullMarked;
