package io.layotto.components.zookeeper;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

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

  /** The name {@link #encode} turned into {@code znodeName}, or null if it made no such znode name. */
  static @Nullable String decode(String znodeName) {
    String name;
    try {
      name = URLDecoder.decode(znodeName, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      return null;
    }
    return encode(name).equals(znodeName) ? name : null;
  }
}
