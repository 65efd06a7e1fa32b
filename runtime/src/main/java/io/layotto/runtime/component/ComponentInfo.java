package io.layotto.runtime.component;

import io.layotto.spi.BuildingBlock;
import java.util.Set;

/** What the runtime reports about one configured component (start-up log, actuator, GetMetadata). */
public record ComponentInfo(String name, BuildingBlock block, String type, Set<String> capabilities) {

  public ComponentInfo {
    capabilities = Set.copyOf(capabilities);
  }
}
