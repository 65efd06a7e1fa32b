/**
 * ZooKeeper components on Apache Curator: the {@code zookeeper} lock store (one ephemeral node per
 * held lock, whose lease is timed by the ZooKeeper server's clock) and the {@code zookeeper}
 * sequencer (one persistent counter node per key, advanced by versioned compare-and-set).
 */
@NullMarked
package io.layotto.components.zookeeper;

import org.jspecify.annotations.NullMarked;
