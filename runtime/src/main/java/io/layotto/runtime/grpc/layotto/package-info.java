/** Layotto's {@code spec.proto.runtime.v1.Runtime} service: a thin adapter from its protos to the shared API logic. */
@NullMarked
package io.layotto.runtime.grpc.layotto;

import org.jspecify.annotations.NullMarked;
