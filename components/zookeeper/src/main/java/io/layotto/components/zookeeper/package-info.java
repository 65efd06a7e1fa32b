/**
 * ZooKeeper components on Apache Curator: the {@code zookeeper} lock store (one persistent node per
 * held lock, living as long as its lease, timed by the ZooKeeper server's clock) and the
 * {@code zookeeper} sequencer (one persistent counter node per key, advanced by versioned compare-and-set).
 */
@NullMarked
package io.layotto.components.zookeeper;

import org.jspecify.annotations.NullMarked;
