package io.layotto.runtime.sequencer;

import io.layotto.components.inmemory.InMemorySequencerFactory;
import io.layotto.spi.ComponentException;
import io.layotto.spi.Metadata;
import io.layotto.spi.MetadataSchema;
import io.layotto.spi.sequencer.IdRange;
import io.layotto.spi.sequencer.Sequencer;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Type {@code recording}: an in-memory sequencer that remembers every call the runtime made. */
final class RecordingSequencerFactory implements SequencerFactory {

  /** Calls as {@code nextId <key>}, {@code reserve <key> <size>} and {@code init <biggerThan>}. */
  final List<String> calls = new CopyOnWriteArrayList<>();
  /** While set, every call fails as a backend outage would. */
  volatile boolean down;

  private void failWhenDown() {
    if (down) {
      throw ComponentException.unavailable("recording backend is down", null);
    }
  }

  @Override
  public String type() {
    return "recording";
  }

  @Override
  public MetadataSchema metadataSchema() {
    return MetadataSchema.empty();
  }

  @Override
  public Set<SequencerFeature> capabilities() {
    return new InMemorySequencerFactory().capabilities();
  }

  @Override
  public Sequencer create() {
    Sequencer delegate = new InMemorySequencerFactory().create();
    return new Sequencer() {
      @Override
      public Set<SequencerFeature> features() {
        return delegate.features();
      }

      @Override
      public void init(Metadata metadata, Map<String, Long> biggerThan) {
        calls.add("init " + biggerThan);
        delegate.init(metadata, biggerThan);
      }

      @Override
      public long nextId(String key) {
        calls.add("nextId " + key);
        failWhenDown();
        return delegate.nextId(key);
      }

      @Override
      public IdRange reserve(String key, int size) {
        calls.add("reserve " + key + " " + size);
        failWhenDown();
        return delegate.reserve(key, size);
      }

      @Override
      public void close() {
        delegate.close();
      }
    };
  }

  long count(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).count();
  }
}
