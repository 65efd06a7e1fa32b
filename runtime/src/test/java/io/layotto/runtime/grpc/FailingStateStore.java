package io.layotto.runtime.grpc;

import io.layotto.spi.Metadata;
import io.layotto.spi.state.DeleteRequest;
import io.layotto.spi.state.GetRequest;
import io.layotto.spi.state.SetRequest;
import io.layotto.spi.state.StateFeature;
import io.layotto.spi.state.StateStore;
import io.layotto.spi.state.StateValue;
import io.layotto.spi.state.TransactionalOperation;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** A store every call of which throws the exception the test chose (a down backend, a bug). */
final class FailingStateStore implements StateStore {

  private final Supplier<RuntimeException> failure;

  FailingStateStore(Supplier<RuntimeException> failure) {
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

  @Override
  public void transact(List<TransactionalOperation> operations, Map<String, String> metadata) {
    throw failure.get();
  }
}
