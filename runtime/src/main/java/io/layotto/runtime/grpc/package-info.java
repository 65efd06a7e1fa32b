/** The gRPC API listener's services: Layotto's and Dapr's APIs over the loaded components, with shared error handling. */
@NullMarked
package io.layotto.runtime.grpc;

import org.jspecify.annotations.NullMarked;
