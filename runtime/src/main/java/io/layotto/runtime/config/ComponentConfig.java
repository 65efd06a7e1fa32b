package io.layotto.runtime.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One component entry of a {@code grpc_config} section, e.g. {@code state.state_demo}.
 *
 * @param name the configured name (the map key)
 * @param type the factory type, e.g. {@code redis}
 * @param metadata Layotto's string metadata, in file order
 * @param path the JSON path of the entry, for error messages
 */
public record ComponentConfig(String name, String type, Map<String, String> metadata, String path) {

  public ComponentConfig {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
