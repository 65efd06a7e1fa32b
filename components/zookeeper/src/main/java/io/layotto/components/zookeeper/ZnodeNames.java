package io.layotto.components.zookeeper;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Turns any resource id or key into one znode name. ZooKeeper refuses '/', the names "." and "..",
 * and many Unicode ranges (surrogates included, so every emoji), hence percent-encoding as UTF-8;
 * '.' is encoded too so that no name can be "." or ".." or clash with this component's own
 * dot-named nodes.
 */
final class ZnodeNames {

  private ZnodeNames() {}

  static String encode(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A");
  }
}
