package io.layotto.spi.state;

/** One operation of {@link StateStore#transact}: Dapr's {@code upsert} or {@code delete}. */
public sealed interface TransactionalOperation {

  String key();

  record Upsert(SetRequest request) implements TransactionalOperation {
    @Override
    public String key() {
      return request.key();
    }
  }

  record Delete(DeleteRequest request) implements TransactionalOperation {
    @Override
    public String key() {
      return request.key();
    }
  }
}
