/**
 * The Sequencer building block: unique ids per key (a namespace such as a table name).
 *
 * <h2>Contract every component follows</h2>
 * <ul>
 *   <li>{@link io.layotto.spi.sequencer.Sequencer#nextId} is STRONG: every id it returns for a key is
 *       greater than every id returned before for that key, by this instance or any other instance on
 *       the same backend (a call that completed before another started returns the smaller id).</li>
 *   <li>{@link io.layotto.spi.sequencer.Sequencer#reserve} (feature
 *       {@link io.layotto.spi.sequencer.SequencerFeature#SEGMENTS}) hands out a whole range of ids at
 *       once; ranges never overlap ids or ranges handed out before. The runtime serves WEAK requests
 *       from such ranges.</li>
 *   <li>Ids are positive. Every id for a key named in {@code biggerThan} is greater than its value.</li>
 *   <li>A key whose ids are used up (int64 overflow) fails with
 *       {@link io.layotto.spi.ComponentException.Kind#RESOURCE_EXHAUSTED}, naming the key.</li>
 * </ul>
 */
@NullMarked
package io.layotto.spi.sequencer;

import org.jspecify.annotations.NullMarked;
