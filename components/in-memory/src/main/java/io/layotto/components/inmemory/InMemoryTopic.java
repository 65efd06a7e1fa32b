package io.layotto.components.inmemory;

import io.layotto.components.inmemory.InMemoryConsumerGroup.QueuedMessage;
import io.layotto.spi.ComponentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A topic: its consumer groups and its publish sequence. Publishing is serialised per topic, so the
 * sequence is the publish order every group sees, and a publish reaches all groups or none.
 */
final class InMemoryTopic {

  /** A message to publish, already validated and copied. */
  record Outgoing(byte[] data, long ttlNanos) {}

  private final String name;
  private final Map<String, InMemoryConsumerGroup> groups = new ConcurrentHashMap<>();
  private final Object publishLock = new Object();
  private long sequence;

  InMemoryTopic(String name) {
    this.name = name;
  }

  /** The group, created on its first subscription and kept for the component's lifetime. */
  InMemoryConsumerGroup group(String groupName, Function<String, InMemoryConsumerGroup> create) {
    synchronized (publishLock) {
      return groups.computeIfAbsent(groupName, create);
    }
  }

  /**
   * Appends the messages to every group's queue, all or nothing. Without groups they are dropped:
   * a group only receives what was published after its first subscription.
   *
   * @throws ComponentException RESOURCE_EXHAUSTED naming the topic and group when a group is full
   */
  void publish(List<Outgoing> outgoing) {
    synchronized (publishLock) {
      if (groups.isEmpty()) {
        sequence += outgoing.size();
        return;
      }
      long now = System.nanoTime();
      for (InMemoryConsumerGroup group : groups.values()) {
        if (!group.hasRoomFor(outgoing.size(), now)) {
          throw new ComponentException(ComponentException.Kind.RESOURCE_EXHAUSTED,
              "topic '" + name + "' is full: consumer group '" + group.name() + "' already holds "
                  + group.capacity() + " unconsumed messages (metadata maxQueuedMessagesPerGroup)");
        }
      }
      List<QueuedMessage> queued = new ArrayList<>(outgoing.size());
      for (Outgoing message : outgoing) {
        boolean expiring = message.ttlNanos() > 0;
        queued.add(new QueuedMessage(name, ++sequence, message.data(), expiring ? now + message.ttlNanos() : 0, expiring));
      }
      for (InMemoryConsumerGroup group : groups.values()) {
        group.enqueue(queued);
      }
    }
    // Outside the publish lock: starting the drain (a thread hand-off) while holding it kept the
    // topic's other publishers waiting.
    for (InMemoryConsumerGroup group : groups.values()) {
      group.requestDrain();
    }
  }

  int groupSize(String groupName) {
    InMemoryConsumerGroup group = groups.get(groupName);
    return group == null ? 0 : group.size();
  }
}
