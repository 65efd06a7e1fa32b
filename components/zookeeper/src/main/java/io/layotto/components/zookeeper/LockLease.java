package io.layotto.components.zookeeper;

import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.data.Stat;

/**
 * The content of a lock node: the lease length and the owner, as {@code <ttl ms>\n<owner>}. The
 * lease runs from the node's last modification time ({@link Stat#getMtime()}), which the ZooKeeper
 * server stamps, so every sidecar judges expiry by the same (server) clock. {@code version} is the
 * node's and {@code generation} the version of its generation stripe, both read with it.
 */
record LockLease(long ttlMillis, String owner, long modifiedAt, int version, int generation) {

  static byte[] encode(long ttlMillis, String owner) {
    return (ttlMillis + "\n" + owner).getBytes(StandardCharsets.UTF_8);
  }

  /** Parses a node's data; data without a lease length (Layotto's Go layout) never expires by time. */
  static LockLease parse(byte[] data, Stat stat, int generation) {
    String text = new String(data, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    long ttl;
    try {
      ttl = newline > 0 ? Long.parseLong(text.substring(0, newline)) : -1;
    } catch (NumberFormatException e) {
      ttl = -1;
    }
    if (ttl < 0) {
      // a node written by Layotto's Go component holds only the owner and lives as long as its session
      return new LockLease(Long.MAX_VALUE, text, stat.getMtime(), stat.getVersion(), generation);
    }
    return new LockLease(ttl, text.substring(newline + 1), stat.getMtime(), stat.getVersion(), generation);
  }

  boolean expiredAt(long serverNow) {
    return ttlMillis != Long.MAX_VALUE && serverNow >= modifiedAt + ttlMillis;
  }
}
