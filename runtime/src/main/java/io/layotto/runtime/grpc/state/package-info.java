/** The state API logic shared by the Layotto and the Dapr service: validation, key prefixing, calls to the store, error mapping. */
@NullMarked
package io.layotto.runtime.grpc.state;

import org.jspecify.annotations.NullMarked;
