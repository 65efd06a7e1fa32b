/** The {@code layotto} command line: {@code start}, {@code version}, {@code --help}. */
@NullMarked
package io.layotto.runtime.cli;

import org.jspecify.annotations.NullMarked;
