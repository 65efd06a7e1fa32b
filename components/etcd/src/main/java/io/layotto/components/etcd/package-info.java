/** etcd v3 components (jetcd). */
@NullMarked
package io.layotto.components.etcd;

import org.jspecify.annotations.NullMarked;
