package io.layotto.components.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.layotto.spi.ComponentException;
import io.layotto.spi.ComponentException.Kind;
import io.layotto.spi.Metadata;
import io.layotto.spi.lock.LockFeature;
import io.layotto.spi.lock.LockStoreFactory;
import io.layotto.spi.sequencer.SequencerFactory;
import io.layotto.spi.sequencer.SequencerFeature;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery by type name, declared capabilities and start-up checks of the metadata. */
class EtcdFactoriesTest {

  @Test
  void bothTypesAreFoundByServiceLoaderWithTheirCapabilities() {
    LockStoreFactory lock = ServiceLoader.load(LockStoreFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("etcd")).findFirst().orElseThrow();
    SequencerFactory sequencer = ServiceLoader.load(SequencerFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("etcd")).findFirst().orElseThrow();
    assertThat(lock.capabilities()).containsExactly(LockFeature.KEEP_ALIVE);
    assertThat(sequencer.capabilities()).containsExactlyInAnyOrder(SequencerFeature.SEGMENTS,
        SequencerFeature.PER_KEY_COUNTER, SequencerFeature.SHARED_BACKEND);
    assertThat(lock.create().features()).isEqualTo(lock.capabilities());
    assertThat(sequencer.create().features()).isEqualTo(sequencer.capabilities());
  }

  @Test
  void theSchemaNamesMissingAndMalformedKeys() {
    var schema = new EtcdLockStoreFactory().metadataSchema();
    assertThat(schema.validate(Map.of())).singleElement().asString().contains("'endpoints' is required");
    assertThat(schema.validate(Map.of("endpoints", "127.0.0.1:2379", "dialTimeout", "soon")))
        .singleElement().asString().contains("'dialTimeout' is 'soon'");
    assertThat(schema.field("keyPrefixPath").orElseThrow().defaultValue()).isEqualTo("/layotto/");
    assertThat(new EtcdSequencerFactory().metadataSchema().validate(Map.of("endpoints", "127.0.0.1:2379"))).isEmpty();
  }

  @Test
  void aMalformedEndpointFailsInitNamingTheKeyAndValue() {
    ComponentException e = catchThrowableOfType(ComponentException.class, () ->
        new EtcdLockStore().init(new Metadata("lock_demo", Map.of("endpoints", "127.0.0.1:2379;not an endpoint"))));
    assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("'endpoints'").contains("not an endpoint").contains("lock_demo");

    ComponentException s = catchThrowableOfType(ComponentException.class, () ->
        new EtcdSequencer().init(new Metadata("seq_demo", Map.of()), Map.of()));
    assertThat(s.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    assertThat(s.getMessage()).contains("'endpoints'").contains("seq_demo");
  }
}
