/** Small applications the e2e tests run in child JVMs of their own, so tests can kill them like real apps. */
@NullMarked
package io.layotto.e2e.apps;

import org.jspecify.annotations.NullMarked;
