package io.layotto.components.mqtt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Client ids of subscriber connections: {@code <group>-<instanceID>-<topic hash>-<n>}. A persistent
 * session belongs to a client id, so it must come out the same after a restart: the topic enters as a
 * short hash (topics may be long and hold any character), and {@code n} is the lowest number not taken
 * by another open subscription of the same group and topic in this component (several subscriptions
 * of one group compete through a shared subscription, each with its own session). Thread-safe.
 */
final class ClientIds {

  private final String instanceId;
  private final Map<String, BitSet> taken = new HashMap<>();

  ClientIds(String instanceId) {
    this.instanceId = instanceId;
  }

  /** A slot for one subscription of {@code group} to {@code topic}; give it back with {@link #release}. */
  synchronized int acquire(String group, String topic) {
    BitSet slots = taken.computeIfAbsent(key(group, topic), k -> new BitSet());
    int slot = slots.nextClearBit(0);
    slots.set(slot);
    return slot;
  }

  synchronized void release(String group, String topic, int slot) {
    String key = key(group, topic);
    BitSet slots = taken.get(key);
    if (slots != null) {
      slots.clear(slot);
      if (slots.isEmpty()) {
        taken.remove(key);
      }
    }
  }

  String subscriber(String group, String topic, int slot) {
    return group + "-" + instanceId + "-" + topicHash(topic) + "-" + slot;
  }

  static String topicHash(String topic) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(topic.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String key(String group, String topic) {
    return group + '\u0000' + topic;
  }
}
