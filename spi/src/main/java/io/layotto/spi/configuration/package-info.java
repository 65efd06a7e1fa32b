/**
 * The Configuration building block: items addressed by app id, group, label and key, with content
 * and tags; read, written, deleted and watched.
 *
 * <h2>Contract every component follows</h2>
 * <ul>
 *   <li>An item is identified by (app id, group, label, key); the runtime has already replaced a
 *       blank group or label by {@link io.layotto.spi.configuration.ConfigurationStore#DEFAULT_GROUP}
 *       / {@link io.layotto.spi.configuration.ConfigurationStore#DEFAULT_LABEL} and checked that no
 *       part is empty or contains {@code ||}. Items of different labels are different items.</li>
 *   <li>A save replaces content and tags of each item (tags are not merged) and gives it a new
 *       version when the component declares {@link io.layotto.spi.configuration.ConfigurationFeature#VERSIONS}.
 *       Content is never empty: an empty content means "deleted" in change events.</li>
 *   <li>A subscription gets every change of its items made through any component instance sharing
 *       the backend, one {@link io.layotto.spi.configuration.ConfigurationListener#onChange} call per
 *       changed item, in the order the changes were made to that item, without duplicates, as soon as
 *       the backend tells (well under a second). A deletion arrives as the item with empty content.
 *       After a backend outage the component resubscribes by itself and reports the items whose
 *       value differs from the last one it reported, so the final value is never missed (values
 *       written and overwritten during the outage may be).</li>
 *   <li>Closing a subscription stops its events and only its events.</li>
 * </ul>
 */
@NullMarked
package io.layotto.spi.configuration;

import org.jspecify.annotations.NullMarked;
