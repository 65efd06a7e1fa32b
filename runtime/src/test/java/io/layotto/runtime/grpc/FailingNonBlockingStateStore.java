package io.layotto.runtime.grpc;

import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.NonBlockingStateStore;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateValue;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A non-blocking store whose every call fails later, through its future (as a backend that answers
 * with an error does), with the exception the test chose.
 */
final class FailingNonBlockingStateStore implements NonBlockingStateStore {

  private final Supplier<RuntimeException> failure;

  FailingNonBlockingStateStore(Supplier<RuntimeException> failure) {
    this.failure = failure;
  }

  @Override
  public void init(Metadata metadata) {}

  @Override
  public void close() {}

  @Override
  public Set<StateFeature> features() {
    return EnumSet.allOf(StateFeature.class);
  }

  @Override
  public CompletableFuture<Optional<StateValue>> getAsync(GetRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      throw failure.get();
    });
  }

  @Override
  public CompletableFuture<Void> bulkSetAsync(List<SetRequest> requests) {
    return CompletableFuture.failedFuture(failure.get());
  }

  @Override
  public CompletableFuture<Void> deleteAsync(DeleteRequest request) {
    return CompletableFuture.failedFuture(failure.get());
  }

  @Override
  public Optional<StateValue> get(GetRequest request) {
    throw failure.get();
  }

  @Override
  public void set(SetRequest request) {
    throw failure.get();
  }

  @Override
  public void delete(DeleteRequest request) {
    throw failure.get();
  }
}
