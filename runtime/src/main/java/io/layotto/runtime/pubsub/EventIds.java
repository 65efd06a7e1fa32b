package io.layotto.runtime.pubsub;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for events the sidecar wraps into an envelope. {@link UUID#randomUUID()} reads the secure
 * random generator (a lock and, with NativePRNG, {@code /dev/urandom}) for every event; an id only
 * has to be unique, so this draws 60 random bits once per process and counts in the rest. Ids are
 * distinct within the process by construction, and across processes as long as their random
 * prefixes differ. They keep the UUID version 4 layout, so consumers parsing them as UUIDs still can.
 */
final class EventIds {

  private static final long VERSION_MASK = 0xF000L;
  private static final long VERSION_4 = 0x4000L;
  private static final long VARIANT_BITS = 0x8000_0000_0000_0000L;
  private static final long COUNTER_MASK = 0x3FFF_FFFF_FFFF_FFFFL;

  private final long prefix;
  private final AtomicLong counter;

  EventIds() {
    SecureRandom random = new SecureRandom();
    this.prefix = (random.nextLong() & ~VERSION_MASK) | VERSION_4;
    this.counter = new AtomicLong(random.nextLong() & COUNTER_MASK);
  }

  String next() {
    return new UUID(prefix, (counter.getAndIncrement() & COUNTER_MASK) | VARIANT_BITS).toString();
  }
}
