/** Dapr's {@code dapr.proto.runtime.v1.Dapr} service: a thin adapter from Dapr's protos to the shared API logic. */
@NullMarked
package io.layotto.runtime.grpc.dapr;

import org.jspecify.annotations.NullMarked;
