package io.layotto.runtime.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code grpc_config.sequencer}: a component plus Layotto's {@code biggerThan}.
 *
 * @param component type, metadata and JSON path of the entry
 * @param biggerThan key (as the client names it) to the value every id of that key must exceed, in file order
 */
public record SequencerConfig(ComponentConfig component, Map<String, Long> biggerThan) {

  public SequencerConfig {
    biggerThan = Collections.unmodifiableMap(new LinkedHashMap<>(biggerThan));
  }

  public String name() {
    return component.name();
  }
}
